#!/usr/bin/env bash
# `stlab pretrain` end to end on tests/configs/tiny_pretrain_{supervised,simclr}.toml:
#  1. supervised pre-training writes backbone.pt and result.json with loss, accuracy
#     and held-out accuracy;
#  2. SimCLR killed with SIGKILL after a checkpoint and restarted ends with exactly
#     the numbers and backbone of a run that was never interrupted, and of a run
#     loading data on the caller's thread (num_workers = 0);
#  3. a finished run is not trained again;
#  4. both backbones load strictly through the `checkpoint` initializer into
#     tests/configs/tiny_detection.toml (same backbone), which then trains; a
#     backbone of another width is refused with the mis-shaped key named.
# Usage: pretrain_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pretrain() {  # pretrain CONFIG NAME [more args]
  local config="$1" name="$2"
  shift 2
  "$cli" pretrain "$src/tests/configs/$config" --set "run.output_dir=$work" \
    --set "run.name=$name" --log_level=warn "$@"
}
# Metrics lines without wall-clock fields.
losses() { sed -E 's/, "time\/[a-z_]+": [^,}]+//g' "$1"; }

pretrain tiny_pretrain_supervised.toml supervised >"$work/supervised.out"
[[ -f "$work/supervised/backbone.pt" ]]
grep -q '"method": "supervised"' "$work/supervised/result.json"
for key in loss accuracy val_accuracy; do grep -q "\"$key\": [0-9]" "$work/supervised/result.json"; done
grep -q '"loss/cross_entropy"' "$work/supervised/metrics.jsonl"
echo "supervised: backbone.pt and result.json written"

pretrain tiny_pretrain_simclr.toml straight >"$work/straight.out"
"$cli" pretrain "$src/tests/configs/tiny_pretrain_simclr.toml" --set "run.output_dir=$work" \
  --set run.name=killed --log_level=warn >"$work/killed.out" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  [[ -f "$work/killed/checkpoint.pt" ]] && break
  sleep 0.02
done
kill -9 "$pid"
wait "$pid" || true
if [[ -f "$work/killed/result.json" ]]; then
  echo "FAIL: the run ended before SIGKILL reached it; the test proves nothing" >&2
  exit 1
fi
pretrain tiny_pretrain_simclr.toml killed --log_level=info >"$work/resumed.out" 2>"$work/resumed.err"
grep -q "resuming .* at iteration [1-9]" "$work/killed/train.log"
cmp "$work/straight/result.json" "$work/killed/result.json"
diff <(losses "$work/straight/metrics.jsonl") <(losses "$work/killed/metrics.jsonl")
cmp "$work/straight/backbone.pt" "$work/killed/backbone.pt"
grep -q '"loss/nt_xent"' "$work/straight/metrics.jsonl"
pretrain tiny_pretrain_simclr.toml inline --set train.num_workers=0 >"$work/inline.out"
cmp "$work/straight/backbone.pt" "$work/inline/backbone.pt"
echo "simclr: resume after SIGKILL and num_workers change give identical numbers and weights"

before="$(wc -l <"$work/straight/metrics.jsonl")"
pretrain tiny_pretrain_simclr.toml straight >"$work/again.out"
[[ "$(wc -l <"$work/straight/metrics.jsonl")" == "$before" ]]
diff <(grep '^loss ' "$work/straight.out") <(grep '^loss ' "$work/again.out")
echo "finished run: not trained again"

detect() {  # detect NAME BACKBONE [more args]
  local name="$1" backbone="$2"
  shift 2
  "$cli" train "$src/tests/configs/tiny_detection.toml" --set "run.output_dir=$work" \
    --set "run.name=$name" --set model.init.type=checkpoint --set "model.init.path=$backbone" \
    --set train.iterations=2 --set train.warmup_iterations=0 --set train.eval_every=0 \
    --set data.val.num_images=4 --log_level=warn "$@"
}
for method in supervised straight; do
  detect "detect_$method" "$work/$method/backbone.pt" >"$work/detect_$method.out"
  grep -q "\"init\": \"checkpoint $work/$method/backbone.pt sha256:" "$work/detect_$method/result.json"
done
echo "backbone.pt: loads strictly through the checkpoint initializer"

pretrain tiny_pretrain_supervised.toml wide --set model.backbone.width_multiplier=0.25 \
  --set train.iterations=1 --set train.warmup_iterations=0 >/dev/null 2>&1
if detect detect_wide "$work/wide/backbone.pt" 2>"$work/wide.err"; then
  echo "FAIL: a backbone of another width loaded" >&2
  exit 1
fi
grep -q "conv1.weight" "$work/wide.err"
echo "mismatched backbone: refused"
