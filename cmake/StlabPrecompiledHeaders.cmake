# Precompiled headers: cmake/stlab_pch.h (LibTorch's tensor and module headers,
# Abseil status) is precompiled once, in the stlab_pch target, with only the
# usage requirements every consumer shares (stlab_usage), so GCC accepts it in
# libstlab, the plugins and the tests alike. Targets that never include LibTorch
# (the CLI) do not use it: a forced include of LibTorch would cost them more
# than it saves. GCC also rejects a PCH built with -fPIC in a -fPIE compile, so
# users compile as -fPIC (executables are still linked as PIE).
add_library(stlab_pch OBJECT "${PROJECT_SOURCE_DIR}/cmake/stlab_pch.cc")
target_link_libraries(stlab_pch PRIVATE stlab_usage)
target_precompile_headers(stlab_pch PRIVATE "${PROJECT_SOURCE_DIR}/cmake/stlab_pch.h")

# ccache caches PCH users only with -fpch-preprocess (GCC) or a PCH without a
# timestamp (Clang, the sanitizer and fuzzing build), and the sloppiness that
# scripts/build.sh sets.
if(STLAB_CCACHE AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(stlab_pch PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
elseif(STLAB_CCACHE)
  target_compile_options(stlab_pch PRIVATE -fpch-preprocess)
endif()

# NOTE: Clang (unlike GCC) refuses a PCH built with another symbol visibility, so
# under Clang the libraries with hidden visibility (plugins and their objects) get
# a second PCH built hidden.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_library(stlab_pch_hidden OBJECT "${PROJECT_SOURCE_DIR}/cmake/stlab_pch.cc")
  target_link_libraries(stlab_pch_hidden PRIVATE stlab_usage)
  target_precompile_headers(stlab_pch_hidden PRIVATE "${PROJECT_SOURCE_DIR}/cmake/stlab_pch.h")
  set_target_properties(stlab_pch_hidden PROPERTIES CXX_VISIBILITY_PRESET hidden
                                                    VISIBILITY_INLINES_HIDDEN ON)
  if(STLAB_CCACHE)
    target_compile_options(stlab_pch_hidden PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
  endif()
endif()

# Call after setting the target's visibility.
function(stlab_reuse_pch target)
  get_target_property(visibility ${target} CXX_VISIBILITY_PRESET)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND visibility STREQUAL "hidden")
    target_precompile_headers(${target} REUSE_FROM stlab_pch_hidden)
  else()
    target_precompile_headers(${target} REUSE_FROM stlab_pch)
  endif()
  target_compile_options(${target} PRIVATE -fPIC
                         $<$<AND:$<BOOL:${STLAB_CCACHE}>,$<CXX_COMPILER_ID:GNU>>:-fpch-preprocess>)
endfunction()
