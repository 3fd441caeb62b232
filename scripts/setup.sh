#!/usr/bin/env bash
# Installs what stlab needs to build: Debian packages (only those missing) and the
# pinned LibTorch from the PyPI torch wheel, unpacked once outside the clone into
# ${STLAB_DEPS_DIR:-~/.cache/stlab}. Fast when everything is already there.
# Prints nothing but progress; the LibTorch CMake folder is written to
# "$STLAB_DEPS_DIR/torch_cmake_prefix" for the build script.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deps.env
source "$here/deps.env"
deps_dir="${STLAB_DEPS_DIR:-$HOME/.cache/stlab}"
mkdir -p "$deps_dir"

apt_packages=(
  build-essential cmake ninja-build ccache python3 python3-pip
  libabsl-dev libboost-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libsimdjson-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev libopencv-dev libpugixml-dev libssl-dev
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# LibTorch: the torch wheel's bundled libtorch, without the wheel's Python
# dependencies (a CPU build needs none of the nvidia-* runtime wheels).
torch_dir="$deps_dir/torch-$STLAB_TORCH_VERSION"
torch_cmake="$torch_dir/torch/share/cmake"
if [[ ! -f "$torch_cmake/Torch/TorchConfig.cmake" ]]; then
  echo "setup: installing LibTorch $STLAB_TORCH_VERSION (PyPI torch wheel) into $torch_dir"
  staging="$(mktemp -d "$deps_dir/.torch-staging.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  python3 -m pip install --quiet --no-deps --no-compile --disable-pip-version-check \
    --target "$staging" "torch==$STLAB_TORCH_VERSION"
  rm -rf "$torch_dir"
  mv "$staging" "$torch_dir"  # Atomic: a half-unpacked wheel is never taken for done.
  trap - EXIT
fi
# Same folder as torch.utils.cmake_prefix_path would report for this wheel.
echo "$torch_cmake" > "$deps_dir/torch_cmake_prefix"
