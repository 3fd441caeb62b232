#!/usr/bin/env bash
# `stlab pseudo-label` of a segmentation teacher with
# self_training.score_calibration = "class_portion": a pass over the pool gives
# each class the cut that keeps its most confident half of the pixels, so a
# labeler at 0.5 keeps about half the pool's pixels, whatever the teacher's
# confidence; the cuts are in the summary's provenance. The detection-only
# calibration is refused for a segmentation teacher, naming the one that fits.
# Usage: segmentation_calibration_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
config="$2/configs/self_training/synthetic_segmentation_20pct.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
small=(--set data.train.num_images=64 --set data.train.image_size=64
  --set data.unlabeled.num_images=16 --set data.unlabeled.image_size=64
  --set data.val.num_images=8 --set data.val.image_size=64 --set train.batch_size=4
  --log_level=warn)
"$cli" train "$config" --set "run.output_dir=\"$work\"" --set run.name=\"teacher\" \
  --set train.iterations=20 --set train.warmup_iterations=5 --set train.eval_every=0 \
  "${small[@]}" >/dev/null
pseudo_label() {  # pseudo_label OUTPUT_DIR CALIBRATION
  "$cli" pseudo-label "$config" --checkpoint "$work/teacher/model_final.pt" --output_dir "$1" \
    --set "self_training.score_calibration=\"$2\"" --set self_training.pseudo_labeler.threshold=0.5 \
    "${small[@]}"
}
pseudo_label "$work/portion" class_portion >/dev/null
python3 - "$work/portion/pseudo_labels_summary.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
calibration = summary["provenance"]["score_calibration"]
assert calibration.startswith("class_portion 0.5: background:"), calibration
kept = summary["quality"]["kept_fraction"]
assert 0.5 <= kept <= 0.6, kept
PY
if pseudo_label "$work/prior" label_prior 2>"$work/prior.err" >/dev/null; then
  echo "FAIL: label_prior was accepted for a segmentation teacher" >&2
  exit 1
fi
grep -q 'calibrates detection scores; for segmentation use "class_portion"' "$work/prior.err"
echo "class_portion: each class keeps its most confident half; label_prior refused"
