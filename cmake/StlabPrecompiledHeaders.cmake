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

# ccache caches PCH users only with -fpch-preprocess (and the sloppiness that
# scripts/build.sh sets).
if(STLAB_CCACHE)
  target_compile_options(stlab_pch PRIVATE -fpch-preprocess)
endif()

function(stlab_reuse_pch target)
  target_precompile_headers(${target} REUSE_FROM stlab_pch)
  target_compile_options(${target} PRIVATE -fPIC $<$<BOOL:${STLAB_CCACHE}>:-fpch-preprocess>)
endfunction()
