#!/usr/bin/env bash
# The main job: builds stlab, validates every shipped config, then trains and
# evaluates the tiny synthetic detector and segmenter (runs/quickstart/...). A run
# that was interrupted continues where it stopped; a finished one is not retrained.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" >/dev/null
stlab="${STLAB_BUILD_DIR:-$root/build}/bin/stlab"
"$stlab" plugins | sed -n '/^Loaded plugins:/,/^$/p'
echo
echo "Validating shipped configs:"
mapfile -t configs < <(find "$root/configs" -name '*.toml' | sort)
"$stlab" validate "${configs[@]}" >/dev/null
for c in "${configs[@]}"; do echo "  OK ${c#"$root"/}"; done
for config in detection/synthetic_retinanet_tiny.toml segmentation/synthetic_semantic_fpn_tiny.toml; do
  echo
  echo "Training $config:"
  "$stlab" train "$root/configs/$config" --set "run.output_dir=$root/runs/quickstart"
done
