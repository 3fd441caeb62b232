#!/usr/bin/env bash
# The main job: builds stlab, validates every shipped config and plans every shipped
# suite, then runs the quickstart suite (configs/suites/quickstart.toml) on the
# built-in synthetic data and prints its comparison table. Stages are cached in
# runs/stage_cache: a run that was interrupted continues where it stopped, and a
# finished one is not recomputed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
stlab="${STLAB_BUILD_DIR:-$root/build}/bin/stlab"
cd "$root"
"$stlab" plugins | sed -n '/^Loaded plugins:/,/^$/p'
echo
"$root/scripts/check_configs.sh" "$stlab"
echo
"$stlab" suite run configs/suites/quickstart.toml
