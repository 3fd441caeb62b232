# Sanitizer and fuzzing builds (scripts/ci_extended.sh builds both in one folder).
#
# STLAB_SANITIZE: a -fsanitize= list applied to every target, e.g.
# "address,undefined". Any report aborts the process (no recovery), so a test or
# a fuzzer fails on the first one. LibTorch is not instrumented; see
# tests/fuzz/sanitizer_suppressions/ for what is suppressed in it and why.
#
# STLAB_FUZZ: builds the libFuzzer harnesses of tests/fuzz and instruments every
# target for coverage (-fsanitize=fuzzer-no-link), so the fuzzers see the edges of
# libstlab and the plugin libraries they call. Clang only.
set(STLAB_SANITIZE "" CACHE STRING "Sanitizers for every target (-fsanitize= list), e.g. address,undefined")
option(STLAB_FUZZ "Build the libFuzzer harnesses in tests/fuzz (Clang only)" OFF)

if(STLAB_SANITIZE)
  add_compile_options(-fsanitize=${STLAB_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${STLAB_SANITIZE})
endif()

if(STLAB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STLAB_FUZZ=ON needs Clang (libFuzzer); configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ (this is ${CMAKE_CXX_COMPILER_ID})")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
