#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
cd "${STLAB_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"
