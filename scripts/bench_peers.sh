#!/usr/bin/env bash
# stlab beside its peers in one run (issue 6): builds stlab's benchmark binaries,
# prepares the peers' venv (scripts/peers_env.sh), then runs
# benchmarks/compare_peers.py, which alternates stlab and peer repeats and prints one
# table of ratios. Arguments go to compare_peers.py (e.g. --quick).
# Single-threaded measurements: the ratios, not the absolute times, are the result.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${STLAB_BUILD_DIR:-$root/build}"
# NOTE: -j1 by default: the harness targets shared 2-core machines; STLAB_BUILD_JOBS
# raises it.
STLAB_BUILD_JOBS="${STLAB_BUILD_JOBS:-1}"
"$root/scripts/setup.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
torch_prefix="$(cat "${STLAB_DEPS_DIR:-$HOME/.cache/stlab}/torch_cmake_prefix")"
# Configure and build quietly; the log is shown only when a step fails.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }; }
if [[ ! -f "$build_dir/build.ninja" ]]; then
  quiet cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix" -DSTLAB_BUILD_BENCHMARKS=ON
else
  quiet cmake "$build_dir" -DSTLAB_BUILD_BENCHMARKS=ON
fi
quiet cmake --build "$build_dir" -j "$STLAB_BUILD_JOBS" --target \
  stlab_cli train_step_benchmark inference_benchmark conv_peak_benchmark \
  coco_eval_benchmark augment_benchmark evaluation_benchmark
python="$("$root/scripts/peers_env.sh")"
trap - EXIT
rm -f "$log"
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 exec "$python" "$root/benchmarks/compare_peers.py" \
  --build "$build_dir" "$@"
