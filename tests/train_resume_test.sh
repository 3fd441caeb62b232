#!/usr/bin/env bash
# `stlab train` end to end on tests/configs/tiny_detection.toml:
#  1. a run killed with SIGKILL after a checkpoint and restarted with the same command
#     ends with exactly the numbers of a run that was never interrupted (metrics,
#     every logged loss, final weights);
#  2. a second start of a finished run does not train again;
#  3. a start with another config in the same run folder is refused;
#  4. a diverging run stops with an error naming the iteration and the loss term;
#  5. `stlab eval` of the final weights reproduces the final metrics and writes the
#     detections as COCO results;
#  6. `stlab self-train` runs teacher, pseudo labels and student (for its own
#     self_training.student_iterations), and a second start of the finished
#     pipeline trains nothing and prints the same numbers;
#  7. checkpoint.pt and model_final.pt record the config's SHA-256 and the data;
#  8. the pseudo labels are exported for audit (COCO JSON with the summary's box
#     count, drawn PNGs, the teacher's SHA-256), by the pipeline and by
#     `stlab pseudo-label`, also with the teacher's test-time augmentation, and
#     measured against the pool's hidden labels (also for the rest of data.train as
#     the pool).
# Usage: train_resume_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
config="$2/tests/configs/tiny_detection.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
train() {  # train NAME [more args]
  local name="$1"
  shift
  "$cli" train "$config" --set "run.output_dir=$work" --set "run.name=$name" --log_level=warn "$@"
}
# Metrics lines without wall-clock fields.
losses() { sed -E 's/, "time\/[a-z_]+": [^,}]+//g' "$1"; }

train straight >"$work/straight.out" 2>"$work/straight.err"

# Started directly, not through train(): $! must be stlab itself, not a subshell.
"$cli" train "$config" --set "run.output_dir=$work" --set run.name=killed --log_level=warn \
  >"$work/killed.out" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  [[ -f "$work/killed/checkpoint.pt" ]] && break
  sleep 0.05
done
kill -9 "$pid"
wait "$pid" || true
if [[ -f "$work/killed/result.json" ]]; then
  echo "FAIL: the run ended before SIGKILL reached it; the test proves nothing" >&2
  exit 1
fi
train killed >"$work/resumed.out" 2>"$work/resumed.err"
grep -q "resuming .* at iteration [1-9]" "$work/killed/train.log"

cmp "$work/straight/result.json" "$work/killed/result.json"
diff <(losses "$work/straight/metrics.jsonl") <(losses "$work/killed/metrics.jsonl")
# Same weights; the files' provenance differs (another run name, another config digest).
python3 "$2/tests/testing/same_tensors.py" "$work/straight/model_final.pt" \
  "$work/killed/model_final.pt"
grep -q '"AP"' "$work/straight/result.json"
echo "resume after SIGKILL: identical metrics, losses and weights"

# Checkpoints record what produced them (stored uncompressed: the text is in the bytes).
sha="$(sha256sum "$work/straight/config.toml" | cut -d' ' -f1)"
for file in checkpoint.pt model_final.pt; do
  grep -aqF "$sha" "$work/straight/$file" || { echo "FAIL: $file: no config_sha256" >&2; exit 1; }
  grep -aqF 'synthetic_shapes(' "$work/straight/$file" || { echo "FAIL: $file: no data" >&2; exit 1; }
done
echo "checkpoints: config digest and data recorded"

before="$(wc -l <"$work/straight/metrics.jsonl")"
train straight >"$work/again.out" 2>/dev/null
[[ "$(wc -l <"$work/straight/metrics.jsonl")" == "$before" ]]
diff <(grep '^AP ' "$work/straight.out") <(grep '^AP ' "$work/again.out")
echo "finished run: not trained again"

if train straight --set train.lr=0.02 2>"$work/changed.err"; then
  echo "FAIL: a changed config reused the run folder" >&2
  exit 1
fi
grep -q "belongs to a run with a different config.*train.lr (0.* -> 0.02)" "$work/changed.err" \
  || { cat "$work/changed.err"; exit 1; }
echo "changed config: refused, naming the key"

# A run that failed before its first checkpoint takes the corrected config.
if train early --set data.train.min_scale=0.9 --set data.train.max_scale=0.2 2>"$work/early.err"; then
  echo "FAIL: a dataset with min_scale above max_scale trained" >&2
  exit 1
fi
[[ ! -e "$work/early/checkpoint.pt" ]] || { echo "FAIL: the failed run saved a checkpoint" >&2; exit 1; }
train early >/dev/null 2>"$work/early2.err" \
  || { cat "$work/early2.err"; echo "FAIL: the corrected config was refused" >&2; exit 1; }
echo "failed before training: the corrected config is taken"

if train diverging --set train.lr=1e12 --set train.grad_clip_norm=0.0 \
     --set train.warmup_iterations=0 2>"$work/diverging.err"; then
  echo "FAIL: a diverging run succeeded" >&2
  exit 1
fi
grep -q "non-finite loss at iteration [0-9]*: term '[a-z]*'" "$work/diverging.err"
echo "diverging run: stopped with a clear error"

"$cli" eval "$config" --set "run.output_dir=$work" --checkpoint "$work/straight/model_final.pt" \
  --json "$work/eval.json" --detections_out "$work/dets.json" >"$work/eval.out"
diff <(grep '^AP ' "$work/straight.out") <(grep '^AP ' "$work/eval.out")
grep -q '"AP": ' "$work/eval.json"
[[ "$(head -c 1 "$work/dets.json")" == "[" ]]
# At another test-time size, the boxes come back in the images' own coordinates.
eval_dets() {  # eval_dets OUT [more args]: every box kept (score threshold 0)
  local out="$1"
  shift
  "$cli" eval "$config" --set "run.output_dir=$work" --checkpoint "$work/straight/model_final.pt" \
    --set model.head.score_threshold=0.0 --log_level=warn --detections_out "$out" "$@" >/dev/null
}
eval_dets "$work/dets_all.json"
eval_dets "$work/dets_resized.json" --set 'eval.resize="longest_side"' --set eval.resize_to=192
python3 - "$work/dets_all.json" "$work/dets_resized.json" <<'PY'
import json, sys
plain, resized = (json.load(open(f)) for f in sys.argv[1:3])
right = lambda dets: max(d["bbox"][0] + d["bbox"][2] for d in dets)
# Mapped back, the boxes of the 3x larger view lie on the 64 px images as the plain ones do.
assert plain and resized, (len(plain), len(resized))
assert 0.5 * right(plain) < right(resized) < 1.5 * right(plain), (right(plain), right(resized))
PY
echo "eval of the final weights: same metrics; at another size, boxes mapped back"
# predict on a folder of image files (drawings of the data, as augment-preview
# writes them): a line per image, boxes inside each image, a drawing per image.
"$cli" augment-preview "$config" --output_dir "$work/images" --images 3 >/dev/null
"$cli" predict "$config" --checkpoint "$work/straight/model_final.pt" --images "$work/images" \
  --output_dir "$work/predicted" --score_threshold 0 --set model.head.score_threshold=0.0 \
  --log_level=warn >"$work/predict.out"
[[ "$(wc -l <"$work/predicted/predictions.jsonl")" == 3 ]]
[[ -f "$work/predicted/predicted_000002.png" ]]
python3 - "$work/predicted/predictions.jsonl" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
assert all(line["image"].endswith(".png") for line in lines), lines
boxes = [d["box"] for line in lines for d in line["detections"]]
assert boxes and all(0 <= b[0] <= b[2] <= 132 and 0 <= b[1] <= b[3] <= 64 for b in boxes), boxes[:3]
PY
echo "predict: predictions.jsonl and drawings for a folder of images"

# Self-training on the same tiny config: teacher, pseudo labels, student; a second
# start finds every stage done and reports the same numbers.
self_train() {
  "$cli" self-train "$config" --set "run.output_dir=$work" --set run.name=self_training \
    --set self_training.pseudo_labeler.type=detection_threshold \
    --set self_training.pseudo_labeler.threshold=0.0 --set model.head.score_threshold=0.0 \
    --set self_training.loss_combiner.type=loss_normalization \
    --set self_training.student_iterations=60 \
    --set data.unlabeled.num_images=16 --set data.unlabeled.image_size=64 --log_level=warn
}
self_train >"$work/self_train.out" 2>/dev/null
grep -q '"students": \[{' "$work/self_training/result.json"
grep -q '"kept": 16' "$work/self_training/round1/pseudo_labels_summary.json"
grep -q '"loss/pseudo"' "$work/self_training/round1/student/metrics.jsonl"
grep -q '^{"iterations": 40,' "$work/self_training/teacher/result.json"
grep -q '^{"iterations": 60,' "$work/self_training/round1/student/result.json"
self_train >"$work/self_train_again.out" 2>/dev/null
diff "$work/self_train.out" "$work/self_train_again.out"
echo "self-training: teacher, pseudo labels and student; a finished pipeline is not rerun"

# check_audit DIR TEACHER DRAWN TTA: the audit files of one pseudo-labeling.
check_audit() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import hashlib, json, os, sys
folder, teacher, drawn, tta = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
summary = json.load(open(os.path.join(folder, "pseudo_labels_summary.json")))
coco = json.load(open(os.path.join(folder, "pseudo_labels.json")))
assert summary["boxes"] > 0, "the test needs boxes"
assert len(coco["annotations"]) == summary["boxes"], (len(coco["annotations"]), summary["boxes"])
assert len(coco["images"]) == summary["kept"]
assert sum(summary["score_histogram"]) == summary["boxes"]
# The synthetic pool carries hidden labels: the labels' quality is measured against them.
quality = summary["quality"]
assert quality["images"] == summary["images"] and quality["ground_truth_boxes"] > 0, quality
assert quality["kept_boxes"] == summary["boxes"], (quality["kept_boxes"], summary["boxes"])
assert 0 <= quality["true_positives"] <= quality["kept_boxes"], quality
assert len(quality["pr_curve"]) == 19 and quality["pr_curve"][0]["threshold"] == 0.05, quality
recalls = [p["recall"] for p in quality["pr_curve"]]
assert recalls == sorted(recalls, reverse=True), recalls
assert abs(quality["recall"] - quality["true_positives"] / quality["ground_truth_boxes"]) < 1e-12
categories = {c["id"]: c["name"] for c in coco["categories"]}
image_ids = {i["id"] for i in coco["images"]}
for a in coco["annotations"]:
    assert a["category_id"] in categories and a["image_id"] in image_ids, a
    assert len(a["bbox"]) == 4 and a["bbox"][2] > 0 and a["bbox"][3] > 0, a
    assert 0.0 <= a["score"] <= 1.0, a
provenance = summary["provenance"]
assert provenance["teacher_sha256"] == hashlib.sha256(open(teacher, "rb").read()).hexdigest()
assert provenance["threshold"] == "0.0" and provenance["created"].endswith("Z"), provenance
assert provenance["teacher_tta"] == tta, provenance
assert coco["info"] == provenance
pictures = sorted(os.listdir(os.path.join(folder, "pseudo_labels_drawn")))
assert len(pictures) == drawn, pictures
PY
  python3 "$(dirname "$0")/testing/check_png.py" "$1"/pseudo_labels_drawn/*.png >/dev/null
}
check_audit "$work/self_training/round1" "$work/self_training/teacher/model_final.pt" 8 none
pseudo_label() {  # pseudo_label OUTPUT_DIR [more args]
  local output="$1"
  shift
  "$cli" pseudo-label "$config" --set "run.output_dir=$work" \
    --set self_training.pseudo_labeler.type=detection_threshold \
    --set self_training.pseudo_labeler.threshold=0.0 --set self_training.audit_images=3 \
    --set model.head.score_threshold=0.0 --set self_training.loss_combiner.type=sum \
    --set data.unlabeled.num_images=16 --set data.unlabeled.image_size=64 --log_level=warn \
    --checkpoint "$work/straight/model_final.pt" --output_dir "$output" "$@" >"$output.out"
}
pseudo_label "$work/pseudo"
check_audit "$work/pseudo" "$work/straight/model_final.pt" 3 none
pseudo_label "$work/pseudo_tta" --set self_training.teacher_flip=true \
  --set "self_training.teacher_scales=[1.0, 1.5]"
check_audit "$work/pseudo_tta" "$work/straight/model_final.pt" 3 \
  "flip, scales 1,1.5, nms_iou 0.5, max_detections 0"
echo "pseudo labels exported for audit: COCO JSON, drawings, teacher digest, teacher TTA"
# The semi-supervised protocol: the pool is the rest of data.train (64 images, 16
# labeled), measured against its hidden labels; a fraction that labels all is refused.
pseudo_label "$work/pseudo_rest" --set self_training.unlabeled_pool=rest_of_train \
  --set data.train_fraction=0.25
grep -q '"images": 48, "kept": 48,' "$work/pseudo_rest/pseudo_labels_summary.json"
check_audit "$work/pseudo_rest" "$work/straight/model_final.pt" 3 none
if pseudo_label "$work/pseudo_all" --set self_training.unlabeled_pool=rest_of_train 2>"$work/all.err"; then
  echo "FAIL: a pool of no image was accepted" >&2
  exit 1
fi
grep -q 'leaves no image: data.train_fraction = 1 labels all 64 images' "$work/all.err"
echo "unlabeled pool = the rest of data.train, measured against its hidden labels"
# The label-prior calibration: a pass over the whole pool puts each class's cut
# where the pool keeps the human labels' boxes per image of that class, so a
# labeler at 0.5 keeps round(target * 16) boxes of every class (ties aside).
pseudo_label "$work/pseudo_prior" --set self_training.score_calibration=\"label_prior\" \
  --set self_training.pseudo_labeler.threshold=0.5
python3 - "$work/pseudo_prior/pseudo_labels_summary.json" <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1]))
calibration = summary["provenance"]["score_calibration"]
assert calibration.startswith("label_prior: "), calibration
targets = dict(re.findall(r"(\w+):[0-9.]+ \(([0-9.]+) boxes/image\)", calibration))
kept = summary["boxes_per_class"]
assert targets and set(targets) == set(kept), (targets, kept)
for name, target in targets.items():
    wanted = round(float(target) * summary["images"])
    assert kept[name] >= wanted and kept[name] <= wanted + 2, (name, kept[name], wanted)
assert summary["boxes"] > 0, summary
PY
if pseudo_label "$work/pseudo_prior_bad" --set self_training.score_calibration=\"prior\" 2>"$work/prior.err"; then
  echo "FAIL: an unknown score calibration was accepted" >&2
  exit 1
fi
grep -q 'score_calibration' "$work/prior.err"
echo "label-prior calibration: each class keeps the human labels' boxes per image"
