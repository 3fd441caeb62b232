#!/usr/bin/env bash
# Renders a suite's report.html in headless Chromium without network access and
# checks that a screenshot came out: scripts/check_report_html.sh REPORT.html OUT.png
# Installs Debian's chromium when it is missing. Look at OUT.png afterwards.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png" >&2
  exit 2
fi
report="$(realpath "$1")"
out="$(realpath -m "$2")"
if [[ ! -f "$report" ]]; then
  echo "error: no such report: $report" >&2
  exit 1
fi

browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
  echo "chromium is missing: installing Debian's chromium" >&2
  sudo_cmd=()
  if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium
  browser="$(command -v chromium)"
fi

mkdir -p "$(dirname "$out")"
rm -f "$out"
# NOTE: the proxy settings send every request to a closed port, so a page that needed
# the network would show it in the screenshot; the report must not.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --hide-scrollbars --no-first-run --disable-extensions --disable-background-networking \
  --proxy-server="127.0.0.1:9" --proxy-bypass-list="<-loopback>" \
  --user-data-dir="$(mktemp -d)" \
  --screenshot="$out" --window-size="${WINDOW_SIZE:-1400,2400}" "file://$report" \
  >"$out.log" 2>&1 || true

if [[ ! -f "$out" ]]; then
  echo "error: chromium wrote no screenshot to $out; its output:" >&2
  cat "$out.log" >&2
  exit 1
fi
rm -f "$out.log"
size="$(stat -c %s "$out")"
if (( size < 20000 )); then
  echo "error: the screenshot $out is only $size bytes: the page rendered (nearly) empty" >&2
  exit 1
fi
echo "rendered $report -> $out ($size bytes)"
