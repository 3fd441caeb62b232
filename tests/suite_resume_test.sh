#!/usr/bin/env bash
# `stlab suite` end to end on tests/configs/tiny_suite.toml (11 stages of every kind):
#  1. a suite killed with SIGKILL at several points (after a stage finished, in the
#     middle of a training, in the middle of the self-training stages) and run
#     again with the same command ends with the same results, stage for stage, as a
#     suite that was never interrupted; no stage process outlives the killed suite;
#     a finished stage is never run again (its files are untouched);
#  2. a second run of a finished suite runs nothing and reports the same table;
#  3. a suite whose stages are shared with a finished one (other cache users) reuses
#     them; a failing stage is reported with its log, its dependents are blocked,
#     and independent stages still finish;
#  4. `plan` lists runs and stages without running anything; changing data.val
#     changes only the evaluate stages, never a training; the report files exist;
#  5. a finished stage whose output file was damaged is computed again.
# Usage: suite_resume_test.sh STLAB_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
src="$2"
suite="$src/tests/configs/tiny_suite.toml"
work="$(mktemp -d)"
trap 'pkill -9 -f "suite (run|stage) .*$work" 2>/dev/null || true; rm -rf "$work"' EXIT
run_suite() {  # run_suite NAME [more args]: cache and reports under $work/NAME
  local name="$1"
  shift
  "$cli" suite run "$suite" --set "suite.cache_dir=\"$work/$name/cache\"" \
    --set "suite.output_dir=\"$work/$name\"" --log_level=warn "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cli" suite plan "$suite" --set "suite.cache_dir=\"$work/plan/cache\"" >"$work/plan.out"
grep -q "^4 runs, 11 stages" "$work/plan.out" || fail "plan: $(head -2 "$work/plan.out")"
[[ ! -e "$work/plan/cache" ]] || fail "plan created the cache"
echo "plan: 4 runs, 11 stages, nothing run"
stage_ids() { sed -n '/^stages:/,$p' "$1" | awk '/^  [a-z_]+-[0-9a-f]+ /{print $1}' | sort; }
"$cli" suite plan "$suite" --set "suite.cache_dir=\"$work/plan/cache\"" \
  --set 'suite.set=["data.val.num_images=8"]' >"$work/plan_eval.out"
[[ $(stage_ids "$work/plan.out" | grep -c '^evaluate-') == 4 ]] || fail "not 4 evaluate stages"
diff <(stage_ids "$work/plan.out" | grep -v '^evaluate-') \
  <(stage_ids "$work/plan_eval.out" | grep -v '^evaluate-') \
  || fail "changing data.val changed a training stage"
[[ -z $(comm -12 <(stage_ids "$work/plan.out" | grep '^evaluate-') \
  <(stage_ids "$work/plan_eval.out" | grep '^evaluate-')) ]] || fail "an evaluate stage ignored data.val"
echo "plan: changing data.val recomputes only the evaluations"

run_suite straight >"$work/straight.out" 2>&1 || { cat "$work/straight.out"; fail "straight run"; }
grep -q "11 stage(s) run, 0 reused" "$work/straight.out"
for f in results.csv results.md report.html; do [[ -s "$work/straight/tiny/$f" ]] || fail "no $f"; done

# Kills the suite run of $work/killed once `condition` holds, then checks that no
# stage process is left.
kill_when() {  # kill_when DESCRIPTION CONDITION
  # Started directly, not through run_suite(): $! must be stlab itself.
  "$cli" suite run "$suite" --set "suite.cache_dir=\"$work/killed/cache\"" \
    --set "suite.output_dir=\"$work/killed\"" --log_level=warn >>"$work/killed.out" 2>&1 &
  local pid=$!
  local hit=0
  for _ in $(seq 1 3000); do
    if eval "$2"; then hit=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ "$hit" == 1 ]] || fail "the suite ended before '$1'; the kill proves nothing"
  sleep 0.5
  if pgrep -f "suite stage $work/killed" >/dev/null; then fail "stage processes outlived the suite"; fi
  echo "killed: $1"
}
cache="$work/killed/cache"
done_count() { ls "$cache"/*/stage_done.toml 2>/dev/null | wc -l; }
# Snapshot of every finished stage's files (name, size, mtime): they must not change.
snapshot() {
  for d in "$cache"/*/; do
    if [[ -f "$d/stage_done.toml" ]]; then find "$d" -type f ! -name stage.log -printf '%p %s %T@\n'; fi
  done | sort
}

kill_when "after the first stage finished" '[[ $(done_count) -ge 1 ]]'
kill_when "in the middle of a training" \
  'ls "$cache"/train-*/checkpoint.pt >/dev/null 2>&1 && [[ -n "$(for d in "$cache"/train-*/; do [[ -f "$d/checkpoint.pt" && ! -f "$d/stage_done.toml" ]] && echo x; done)" ]]'
before="$(snapshot)"
kill_when "in the middle of the self-training stages" \
  'ls -d "$cache"/student-*/ >/dev/null 2>&1'
# Nothing that had finished before the last kill was touched by the runs since.
diff <(echo "$before") <(snapshot | grep -F -f <(echo "$before" | cut -d' ' -f1)) \
  || fail "a finished stage was run again"
before="$(snapshot)"
run_suite killed >"$work/resumed.out" 2>&1 || { cat "$work/resumed.out"; fail "resumed run"; }
diff <(echo "$before") <(snapshot | grep -F -f <(echo "$before" | cut -d' ' -f1)) \
  || fail "a finished stage was run again"
grep -q "reused from the cache, 0 failed" "$work/resumed.out"
grep -q "resuming .* at iteration [1-9]" "$cache"/*/stage.log || fail "no training resumed from a checkpoint"

# Same stages, same numbers: every stage's final metrics and weights.
for d in "$work/straight/cache"/*/; do
  id="$(basename "$d")"
  cmp "$d/stage_done.toml" "$cache/$id/stage_done.toml" || fail "stage $id differs after the kills"
  # Same weights; the files' provenance names their own cache's paths.
  if [[ -f "$d/model_final.pt" ]]; then
    python3 "$src/tests/testing/same_tensors.py" "$d/model_final.pt" "$cache/$id/model_final.pt"
  fi
done
cmp "$work/straight/tiny/results.md" "$work/killed/tiny/results.md"
echo "resume after SIGKILL at 3 points: every stage identical, nothing finished rerun"

run_suite straight >"$work/again.out" 2>&1
grep -q "0 stage(s) run, 11 reused" "$work/again.out" || fail "a finished suite ran again"
diff <(sed -n '/^# tiny/,$p' "$work/straight.out") <(sed -n '/^# tiny/,$p' "$work/again.out")
echo "finished suite: nothing run again, same table"

# A finished stage whose output was damaged afterwards (issue 20): it is computed
# again from scratch, with a warning naming the file, and gives the same result.
damaged="$(ls -d "$work/killed/cache"/train-*/ | head -1)"
damaged="${damaged%/}"
cp "$damaged/stage_done.toml" "$work/damaged_done.toml"
python3 - "$damaged/model_final.pt" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x5A
open(path, "wb").write(bytes(data))
PY
run_suite killed >"$work/damaged.out" 2>&1 || { cat "$work/damaged.out"; fail "run after damage"; }
grep -q "model_final.pt: differs from what the stage wrote" "$work/damaged.out" \
  || fail "no warning naming the damaged file: $(head -5 "$work/damaged.out")"
grep -q "stage $(basename "$damaged") is computed again from scratch" "$work/damaged.out"
cmp "$work/damaged_done.toml" "$damaged/stage_done.toml" || fail "the recomputed stage differs"
echo "damaged output: the stage is recomputed, same result"

# A diverging supervised initialization: its stages fail (the pre-training is
# shared and reused), the random runs' stages are reused from the cache.
if run_suite straight --set 'override=[{where={init="supervised"}, set=["train.lr=1e12", "train.grad_clip_norm=0.0", "train.warmup_iterations=0"]}]' \
    >"$work/failing.out" 2>&1; then
  fail "a suite with a failing stage succeeded"
fi
grep -q "1 stage(s) run\|0 stage(s) run" "$work/failing.out" || true
grep -q "failed: train-[0-9a-f]*: exit code 1: .*non-finite loss" "$work/failing.out" || fail "no failure report: $(cat "$work/failing.out")"
grep -q "log: $work/straight/cache/train-[0-9a-f]*/stage.log" "$work/failing.out"
grep -q "blocked" "$work/failing.out"
grep -q "6 reused from the cache, 1 failed, 4 blocked" "$work/failing.out" || fail "$(grep reused "$work/failing.out")"
grep -q "Failed runs" "$work/straight/tiny/results.md"
echo "failing stage: reported with its log, dependents blocked, independent stages reused"
