#!/usr/bin/env bash
# Validates every shipped experiment config and plans every shipped suite (which
# validates each of its runs' configs) without running anything.
# Usage: check_configs.sh STLAB_CLI
set -euo pipefail
stlab="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plan_cache="$(mktemp -d)"
trap 'rm -rf "$plan_cache"' EXIT
mapfile -t configs < <(find "$root/configs" -name '*.toml' -not -path "$root/configs/suites/*" | sort)
"$stlab" validate "${configs[@]}" >/dev/null
echo "Validated ${#configs[@]} configs."
for suite in "$root"/configs/suites/*.toml; do
  summary="$("$stlab" suite plan "$suite" --set "suite.cache_dir=\"$plan_cache\"" | sed -n 2p)"
  echo "  suite ${suite#"$root"/}: $summary"
done
