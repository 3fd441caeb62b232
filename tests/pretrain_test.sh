#!/usr/bin/env bash
# `stlab pretrain` end to end on tests/configs/tiny_pretrain_{supervised,simclr}.toml:
#  1. supervised pre-training writes backbone.pt and result.json with loss, accuracy
#     and held-out accuracy, in the convolution layout [model] memory_format names;
#  2. SimCLR killed with SIGKILL after a checkpoint and restarted ends with exactly
#     the numbers and backbone of a run that was never interrupted, and of a run
#     loading data on the caller's thread (num_workers = 0);
#  3. a finished run is not trained again;
#  4. both backbones load strictly through the `checkpoint` initializer into
#     tests/configs/tiny_detection.toml (same backbone), which then trains and
#     names in result.json what produced its backbone (method, iterations, config
#     digest, data); a backbone of another width is refused with the mis-shaped key
#     named;
#  5. checkpoint.pt and backbone.pt record the SHA-256 of the run's config.toml;
#  6. supervised pre-training on an ImageNet-style folder tree (image_folder with
#     labels = "subfolder") runs and records its data.
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
# Same weights, whatever the files' provenance says (other run names, other configs).
same_tensors() { python3 "$src/tests/testing/same_tensors.py" "$1" "$2"; }
config_sha() { sha256sum "$1/config.toml" | cut -d' ' -f1; }
# Checkpoints store their run state's text uncompressed: the digest is in the bytes.
records_config() {  # records_config RUN_DIR FILE
  grep -aqF "$(config_sha "$1")" "$1/$2" || {
    echo "FAIL: $1/$2 lacks its config digest" >&2
    exit 1
  }
}

pretrain tiny_pretrain_supervised.toml supervised >"$work/supervised.out"
[[ -f "$work/supervised/backbone.pt" ]]
grep -q '"method": "supervised"' "$work/supervised/result.json"
for key in loss accuracy val_accuracy; do grep -q "\"$key\": [0-9]" "$work/supervised/result.json"; done
grep -q '"loss/cross_entropy"' "$work/supervised/metrics.jsonl"
records_config "$work/supervised" backbone.pt
records_config "$work/supervised" checkpoint.pt
echo "supervised: backbone.pt and result.json written, config digest recorded"
# [model] memory_format governs pre-training as it does training (the run driver
# builds both through one BuildBackbone).
grep -q "convolution layout: channels_last" "$work/supervised/train.log"
pretrain tiny_pretrain_supervised.toml contiguous --set model.memory_format=contiguous >/dev/null
grep -q "convolution layout: contiguous" "$work/contiguous/train.log"
echo "pretrain: model.memory_format honoured"

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
same_tensors "$work/straight/backbone.pt" "$work/killed/backbone.pt"
grep -q '"loss/nt_xent"' "$work/straight/metrics.jsonl"
pretrain tiny_pretrain_simclr.toml inline --set train.num_workers=0 >"$work/inline.out"
same_tensors "$work/straight/backbone.pt" "$work/inline/backbone.pt"
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
sha="$(config_sha "$work/supervised")"
origin="(supervised, 8 iterations, config sha256:${sha:0:12}, data synthetic_shapes_classification("
grep -qF "$origin" "$work/detect_supervised/result.json" || {
  echo "FAIL: result.json's init lacks '$origin'" >&2
  exit 1
}
grep -qF "(simclr, " "$work/detect_straight/result.json"
echo "backbone.pt: loads strictly through the checkpoint initializer, which names its origin"

pretrain tiny_pretrain_supervised.toml wide --set model.backbone.width_multiplier=0.25 \
  --set train.iterations=1 --set train.warmup_iterations=0 >/dev/null 2>&1
if detect detect_wide "$work/wide/backbone.pt" 2>"$work/wide.err"; then
  echo "FAIL: a backbone of another width loaded" >&2
  exit 1
fi
grep -q "conv1.weight" "$work/wide.err"
echo "mismatched backbone: refused"

# An ImageNet-style tree of tiny PNGs: three classes, four images each.
python3 - "$work/imagenet" <<'PY'
import struct, sys, zlib, pathlib
def png(path, value):
    w, h = 24, 20
    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc
    rows = b"".join(b"\0" + bytes([value, 255 - value, (value * 7) % 256]) * w for _ in range(h))
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(rows))
                     + chunk(b"IEND", b""))
for split in ("train", "val"):
    for k, name in enumerate(("n01", "n02", "n03")):
        folder = pathlib.Path(sys.argv[1]) / split / name
        folder.mkdir(parents=True)
        for i in range(4):
            png(folder / f"{i}.png", 60 * k + 10 * i)
PY
folder_data() {  # folder_data SPLIT
  echo "{_replace_=true, type=\"image_folder\", root=\"$work/imagenet/$1\", labels=\"subfolder\"}"
}
pretrain tiny_pretrain_supervised.toml folder --set "data.train=$(folder_data train)" \
  --set "data.val=$(folder_data val)" --set train.iterations=2 --set train.warmup_iterations=0 \
  >"$work/folder.out"
grep -q '"val_accuracy": [0-9]' "$work/folder/result.json"
grep -aqF 'image_folder(labels="subfolder"' "$work/folder/backbone.pt"
records_config "$work/folder" backbone.pt
echo "image_folder with labels = \"subfolder\": supervised pre-training runs"
