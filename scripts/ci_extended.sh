#!/usr/bin/env bash
# The extended checks, outside .ci/run: an AddressSanitizer + UndefinedBehaviorSanitizer
# build of everything with Clang (in build-asan, with ccache), the whole CTest suite
# under it, and every libFuzzer harness of tests/fuzz for a while. Prints each
# phase's wall time.
#
#   scripts/ci_extended.sh            build, all tests, each fuzzer 600 s
#   scripts/ci_extended.sh --smoke    build the fuzzers only, each runs a few seconds
#                                     (what .ci/run can afford)
#   scripts/ci_extended.sh --phases=build,fuzz   a subset of build, tests, fuzz
#
# Environment: STLAB_FUZZ_SECONDS (seconds per fuzzer; default 600, 5 with --smoke),
# STLAB_FUZZERS (space-separated subset of the harnesses), STLAB_JOBS (parallel
# compile and test jobs; default all cores), STLAB_ASAN_BUILD_DIR (default build-asan).
# A fuzzer's crash, leak or timeout leaves its input in
# $STLAB_ASAN_BUILD_DIR/fuzz/artifacts/<fuzzer>/ and fails the script.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps_dir="${STLAB_DEPS_DIR:-$HOME/.cache/stlab}"
build_dir="${STLAB_ASAN_BUILD_DIR:-$root/build-asan}"
jobs="${STLAB_JOBS:-$(nproc)}"
clang_version=16  # Clang 14 (Debian's default) lacks C++20 lambda captures of structured bindings.
all_fuzzers="config_fuzzer suite_fuzzer coco_json_fuzzer voc_xml_fuzzer safetensors_fuzzer checkpoint_fuzzer"
fuzzers="${STLAB_FUZZERS:-$all_fuzzers}"

smoke=false
phases="build,tests,fuzz"
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true; phases="build,fuzz" ;;
    --phases=*) phases="${arg#--phases=}" ;;
    *) echo "usage: $0 [--smoke] [--phases=build,tests,fuzz]" >&2; exit 2 ;;
  esac
done
fuzz_seconds="${STLAB_FUZZ_SECONDS:-$($smoke && echo 5 || echo 600)}"
has_phase() { [[ ",$phases," == *",$1,"* ]]; }

# Sanitizer settings for everything that runs below: any report aborts with a stack.
suppressions="$root/tests/fuzz/sanitizer_suppressions"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$suppressions/ubsan.supp"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
# Suppressions match function names, so reports must be symbolized.
for symbolizer in "/usr/lib/llvm-$clang_version/bin/llvm-symbolizer" "$(command -v llvm-symbolizer || true)"; do
  if [[ -x "$symbolizer" ]]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; break; fi
done

if has_phase build; then
  start=$SECONDS
  "$root/scripts/setup.sh"
  if ! command -v "clang++-$clang_version" >/dev/null ||
     [[ ! -d "/usr/lib/llvm-$clang_version/lib/clang/$clang_version/lib/linux" ]]; then
    echo "ci_extended: installing clang-$clang_version and its sanitizer runtimes"
    sudo_cmd=""
    [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
      "clang-$clang_version" "libclang-rt-$clang_version-dev" >/dev/null
  fi
  # As scripts/build.sh: ccache keys on paths relative to the clone.
  export CCACHE_BASEDIR="$root"
  export CCACHE_NOHASHDIR=true
  export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    # -O1 with line tables: readable sanitizer stacks at a fraction of -g's cost.
    cmake -S "$root" -B "$build_dir" -G Ninja \
      -DCMAKE_CXX_COMPILER="clang++-$clang_version" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
      -DCMAKE_PREFIX_PATH="$(cat "$deps_dir/torch_cmake_prefix")" \
      -DSTLAB_SANITIZE=address,undefined -DSTLAB_FUZZ=ON -DSTLAB_BUILD_BENCHMARKS=OFF >/dev/null
  fi
  if $smoke; then
    cmake --build "$build_dir" -j "$jobs" --target fuzzers
  else
    cmake --build "$build_dir" -j "$jobs"
  fi
  echo "phase asan build: $((SECONDS - start)) s"
fi

status=0
if has_phase tests; then
  start=$SECONDS
  (cd "$build_dir" && ctest --output-on-failure -j "$jobs") || status=1
  echo "phase asan tests: $((SECONDS - start)) s"
fi

if has_phase fuzz; then
  start=$SECONDS
  for fuzzer in $fuzzers; do
    fuzzer_start=$SECONDS
    corpus="$build_dir/fuzz/corpus/$fuzzer"    # Grows; the committed seeds stay as they are.
    artifacts="$build_dir/fuzz/artifacts/$fuzzer/"
    scratch="$build_dir/fuzz/tmp"  # The harnesses' scratch files (fuzz_support.h).
    rm -rf "$scratch"
    mkdir -p "$corpus" "$artifacts" "$scratch"
    log="$build_dir/fuzz/$fuzzer.log"
    # -timeout: one input taking longer is a hang; -rss_limit_mb: a memory blow-up.
    if TMPDIR="$scratch" "$build_dir/fuzz/$fuzzer" "$corpus" "$root/tests/fuzz/corpus/$fuzzer" \
         -max_total_time="$fuzz_seconds" -timeout=30 -rss_limit_mb=4096 \
         -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
      echo "fuzz $fuzzer: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
                            grep -o '[0-9]*$') runs in $((SECONDS - fuzzer_start)) s, no crash"
    else
      status=1
      echo "fuzz $fuzzer: FAILED after $((SECONDS - fuzzer_start)) s (log $log, inputs in $artifacts):"
      grep -m1 -A40 -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY|==ERROR" "$log" || tail -40 "$log"
    fi
  done
  echo "phase fuzz: $((SECONDS - start)) s"
fi
exit "$status"
