#!/usr/bin/env bash
# Configures and builds stlab in ./build (after scripts/setup.sh). Extra arguments
# go to CMake, e.g. -DSTLAB_CUDA=ON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps_dir="${STLAB_DEPS_DIR:-$HOME/.cache/stlab}"
build_dir="${STLAB_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
torch_prefix="$(cat "$deps_dir/torch_cmake_prefix")"

# ccache keys on paths relative to the clone, so fresh clones reuse earlier work.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=true
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix" "$@" >/dev/null
elif (($#)); then
  cmake "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"
