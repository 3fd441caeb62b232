#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test; prints
# each phase's wall time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=$SECONDS
"$root/scripts/build.sh"
echo "phase setup+build: $((SECONDS - start)) s"
start=$SECONDS
cd "${STLAB_BUILD_DIR:-$root/build}"
status=0
ctest --output-on-failure -j "$(nproc)" || status=$?
echo "phase tests: $((SECONDS - start)) s"
exit "$status"
