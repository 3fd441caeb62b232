#!/usr/bin/env bash
# The layers match the folders: every #include of the library code (tests and
# benchmarks aside) goes down the stack
#   interfaces (core/*.h|cc, core/ops/) <- registry/ <- engine (core/config, core/data,
#   core/engine, core/suite) <- apps/
# and plugins reach the core only through the interface layer and registry/.
# Usage: layering_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
engine='core/(config|data|engine|suite)/'
status=0
# check NAME FILES... -- PATTERN: no file may include a header matching PATTERN.
check() {
  local name="$1" pattern="$2"
  shift 2
  local hits
  hits="$(grep -HnE "^#include \"($pattern)" "$@" 2>/dev/null || true)"
  if [[ -n "$hits" ]]; then
    echo "FAIL: $name:" >&2
    echo "$hits" >&2
    status=1
  fi
}
library_files() {  # library_files DIR...: sources and headers without tests or benchmarks
  find "$@" -maxdepth 1 -type f \( -name '*.h' -o -name '*.cc' \) \
    ! -name '*_test.cc' ! -name '*_benchmark.cc' ! -name '*_fuzzer.cc' | sort
}
mapfile -t interfaces < <(library_files core core/ops)
mapfile -t registry < <(library_files registry)
mapfile -t engine_files < <(library_files core/config core/config/internal core/data core/engine core/suite)
mapfile -t plugin_files < <(find plugins -type f \( -name '*.h' -o -name '*.cc' \) \
  ! -name '*_test.cc' ! -name '*_benchmark.cc' ! -name 'test_*.h' ! -name '*_for_tests.h' | sort)

check "the interface layer includes the registry, the engine or a plugin" \
  "registry/|$engine|plugins/" "${interfaces[@]}"
check "registry/ includes the engine or a plugin" "$engine|plugins/" "${registry[@]}"
check "the engine includes a plugin" "plugins/" "${engine_files[@]}"
check "a plugin includes the engine" "$engine" "${plugin_files[@]}"
[[ "$status" == 0 ]] && echo "layering: ${#interfaces[@]} interface, ${#registry[@]} registry, ${#engine_files[@]} engine and ${#plugin_files[@]} plugin files include only downwards"
exit "$status"
