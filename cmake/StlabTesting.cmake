# stlab_add_test(NAME sources...): a GoogleTest executable registered with CTest.
# Tests find the shared fixtures through STLAB_SHARED_DIR and skip what is absent.
function(stlab_add_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE stlab GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    STLAB_SHARED_DIR="${STLAB_SHARED_DIR}"
    STLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    STLAB_BINARY_DIR="${PROJECT_BINARY_DIR}"
    STLAB_PLUGIN_DIR="${STLAB_PLUGIN_OUTPUT_DIR}")
  stlab_reuse_pch(${name})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60)
endfunction()
