#!/usr/bin/env bash
# The main job: builds stlab, lists the plugins, and validates every shipped config.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
stlab="${STLAB_BUILD_DIR:-$root/build}/bin/stlab"
"$stlab" plugins
echo
echo "Validating shipped configs:"
mapfile -t configs < <(find "$root/configs" -name '*.toml' | sort)
"$stlab" validate "${configs[@]}" >/dev/null
for c in "${configs[@]}"; do echo "  OK ${c#"$root"/}"; done
