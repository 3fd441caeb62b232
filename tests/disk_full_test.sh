#!/usr/bin/env bash
# `stlab train` on a full disk (a 3 MiB tmpfs: room for one checkpoint of
# tests/configs/tiny_detection.toml, not for the second):
#  1. the run stops with exit code 1 and an error naming the file it could not
#     write and why, not a signal;
#  2. it leaves no half-written file: no temporary file, and every checkpoint in
#     the folder is whole (it resumes from it);
#  3. once there is space again, the same command resumes from the last good
#     checkpoint and ends with the weights of a run that never ran out of space;
#  4. a suite (tests/configs/tiny_suite.toml) on a full disk reports the failed
#     stages with the file and the reason, marks none of them done, and once there
#     is space again finishes with the stages and report of a suite that never ran
#     out of space.
# Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped (exit 77),
# unless STLAB_REQUIRE_TMPFS=1 (CI) makes that a failure.
# Usage: disk_full_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
config="$2/tests/configs/tiny_detection.toml"
work="$(mktemp -d)"
disk="$work/disk"
mkdir "$disk"
cleanup() {
  umount "$disk" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! mount -t tmpfs -o size=3m tmpfs "$disk" 2>"$work/mount.err"; then
  if [[ "${STLAB_REQUIRE_TMPFS:-0}" == 1 ]]; then
    echo "FAIL: cannot mount a tmpfs (STLAB_REQUIRE_TMPFS=1): $(cat "$work/mount.err")" >&2
    exit 1
  fi
  echo "SKIP: cannot mount a tmpfs: $(cat "$work/mount.err")"
  exit 77
fi
train() {  # train OUTPUT_DIR
  "$cli" train "$config" --set "run.output_dir=\"$1\"" --set run.name=\"run\" --log_level=warn
}
train "$work" >"$work/straight.out" 2>&1

set +e
train "$disk" >"$work/full.out" 2>&1
code=$?
set -e
if [[ $code != 1 ]]; then
  echo "FAIL: a full disk ended the run with exit code $code, expected 1" >&2
  cat "$work/full.out" >&2
  exit 1
fi
grep -q "cannot write '$disk/run/.*': No space left on device" "$work/full.out"
if ls -A "$disk/run" | grep -q '\.tmp\.'; then
  echo "FAIL: a temporary file was left behind: $(ls -A "$disk/run")" >&2
  exit 1
fi
ls "$disk/run" | grep -q '^checkpoint' || { echo "FAIL: no checkpoint was kept" >&2; exit 1; }
[[ ! -f "$disk/run/result.json" ]]
echo "full disk: a clear error, no half-written file, the last good checkpoint kept"

mount -o remount,size=64m "$disk"
train "$disk" >"$work/resumed.out" 2>&1
grep -q "resuming .* at iteration [1-9]" "$disk/run/train.log"
cmp "$work/run/result.json" "$disk/run/result.json"
python3 "$2/tests/testing/same_tensors.py" "$work/run/model_final.pt" "$disk/run/model_final.pt"
echo "space back: the run resumes and ends with the weights of one that never ran out"

suite() {  # suite ROOT
  "$cli" suite run "$2/tests/configs/tiny_suite.toml" --set "suite.cache_dir=\"$1/cache\"" \
    --set "suite.output_dir=\"$1/out\"" --log_level=warn
}
umount "$disk"
mount -t tmpfs -o size=4m tmpfs "$disk"
suite "$work/suite" "$2" >"$work/suite_straight.out" 2>&1
set +e
suite "$disk" "$2" >"$work/suite_full.out" 2>&1
code=$?
set -e
[[ $code == 1 ]] || { echo "FAIL: a full disk ended the suite with exit code $code" >&2; exit 1; }
grep -q "failed: .*cannot write '$disk/cache/.*': No space left on device" "$work/suite_full.out"
for stage in "$disk"/cache/*/; do
  if [[ -f "$stage/stage_done.toml" ]]; then
    cmp "$stage/stage_done.toml" "$work/suite/cache/$(basename "$stage")/stage_done.toml"
  fi
done
[[ -n "$(find "$disk/cache" -maxdepth 1 -mindepth 1 -type d '!' -exec test -e '{}/stage_done.toml' ';' -print)" ]]
mount -o remount,size=128m "$disk"
suite "$disk" "$2" >"$work/suite_again.out" 2>&1
for stage in "$work"/suite/cache/*/; do
  cmp "$stage/stage_done.toml" "$disk/cache/$(basename "$stage")/stage_done.toml"
done
cmp "$work/suite/out/tiny/results.md" "$disk/out/tiny/results.md"
echo "suite on a full disk: failed stages named, none marked done; with space, the same results"
