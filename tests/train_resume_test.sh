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
#  6. `stlab self-train` runs teacher, pseudo labels and student, and a second start
#     of the finished pipeline trains nothing and prints the same numbers.
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
cmp "$work/straight/model_final.pt" "$work/killed/model_final.pt"
grep -q '"AP"' "$work/straight/result.json"
echo "resume after SIGKILL: identical metrics, losses and weights"

before="$(wc -l <"$work/straight/metrics.jsonl")"
train straight >"$work/again.out" 2>/dev/null
[[ "$(wc -l <"$work/straight/metrics.jsonl")" == "$before" ]]
diff <(grep '^AP ' "$work/straight.out") <(grep '^AP ' "$work/again.out")
echo "finished run: not trained again"

if train straight --set train.lr=0.02 2>"$work/changed.err"; then
  echo "FAIL: a changed config reused the run folder" >&2
  exit 1
fi
grep -q "belongs to a run with a different config" "$work/changed.err"
echo "changed config: refused"

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
echo "eval of the final weights: same metrics"

# Self-training on the same tiny config: teacher, pseudo labels, student; a second
# start finds every stage done and reports the same numbers.
self_train() {
  "$cli" self-train "$config" --set "run.output_dir=$work" --set run.name=self_training \
    --set self_training.pseudo_labeler.type=detection_threshold \
    --set self_training.pseudo_labeler.threshold=0.0 \
    --set self_training.loss_combiner.type=loss_normalization \
    --set data.unlabeled.num_images=16 --set data.unlabeled.image_size=64 --log_level=warn
}
self_train >"$work/self_train.out" 2>/dev/null
grep -q '"students": \[{' "$work/self_training/result.json"
grep -q '"kept": 16' "$work/self_training/round1/pseudo_labels_summary.json"
grep -q '"loss/pseudo"' "$work/self_training/round1/student/metrics.jsonl"
self_train >"$work/self_train_again.out" 2>/dev/null
diff "$work/self_train.out" "$work/self_train_again.out"
echo "self-training: teacher, pseudo labels and student; a finished pipeline is not rerun"
