#!/usr/bin/env bash
# `stlab augment-preview` renders an augmentation preset (Aug-S3 on the synthetic
# data) as side-by-side PNGs that decode, the same seed gives the same files, and
# bad arguments are usage errors.
# Usage: augment_preview_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/preview.toml" <<TOML
base = ["$source_dir/configs/data/synthetic_shapes.toml", "$source_dir/configs/augment/aug_s3.toml"]

[data.train]
num_images = 8
image_size = 64
TOML
preview() {  # preview OUTPUT_DIR [more args]
  local dir="$1"
  shift
  "$cli" augment-preview "$work/preview.toml" --output_dir "$dir" --images 3 \
    --set 'augment.pipeline[1].size=64' --set 'augment.pipeline[2].pixel_scale=0.1' \
    --log_level=warn "$@"
}
preview "$work/a" >"$work/a.out"
[[ "$(wc -l <"$work/a.out")" -eq 3 ]]
# Original (64 px) | 4-pixel gap | augmented (cropped to 64 px).
for size in $(python3 "$source_dir/tests/testing/check_png.py" "$work"/a/preview_*.png); do
  [[ "$size" == "132x64x3" ]] || { echo "FAIL: unexpected preview size $size" >&2; exit 1; }
done
[[ "$(ls "$work/a" | wc -l)" -eq 3 ]]
preview "$work/b" >/dev/null
diff -r "$work/a" "$work/b"
preview "$work/c" --seed 7 >/dev/null
if diff -rq "$work/a" "$work/c" >/dev/null; then
  echo "FAIL: another seed drew the same augmentations" >&2
  exit 1
fi
echo "previews: 3 PNGs that decode, reproducible, seed-dependent"

status=0
"$cli" augment-preview "$work/preview.toml" 2>"$work/usage.err" || status=$?
[[ "$status" -eq 2 ]] && grep -q "usage: stlab augment-preview" "$work/usage.err"
status=0
"$cli" augment-preview "$work/preview.toml" --output_dir "$work/d" --set augment.pipeline=[] \
  2>"$work/empty.err" || status=$?
[[ "$status" -eq 1 ]] && grep -q "pipeline is empty" "$work/empty.err"
echo "bad arguments: usage error, empty pipeline refused"
