# Finds stlab's dependencies. LibTorch comes from the pinned PyPI torch wheel that
# scripts/setup.sh unpacks outside the clone; everything else from Debian packages.

file(STRINGS "${PROJECT_SOURCE_DIR}/scripts/deps.env" _stlab_pins REGEX "^STLAB_TORCH_VERSION=")
string(REGEX REPLACE "^STLAB_TORCH_VERSION=" "" STLAB_TORCH_VERSION "${_stlab_pins}")

# LibTorch's CMake package probes for GPUs by compiling a CUDA program unless an
# architecture list is given; Hopper (sm_90) is what CUDA builds here target.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "9.0")
endif()
if(STLAB_CUDA)
  enable_language(CUDA)
endif()
find_package(Torch ${STLAB_TORCH_VERSION} EXACT QUIET)
if(NOT Torch_FOUND)
  message(FATAL_ERROR
    "LibTorch ${STLAB_TORCH_VERSION} not found. Run scripts/setup.sh and pass the folder "
    "it prints as -DCMAKE_PREFIX_PATH (it is torch.utils.cmake_prefix_path of the pinned "
    "wheel), or use scripts/build.sh, which does both.")
endif()
# A CPU build links only the CPU libraries, so it needs none of the CUDA runtime wheels.
if(STLAB_CUDA)
  set(STLAB_TORCH_LIBRARIES torch torch_cpu c10 c10_cuda)
else()
  set(STLAB_TORCH_LIBRARIES torch_cpu c10)
endif()

find_package(absl REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Boost 1.74 REQUIRED)  # Boost.DLL is header-only.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
if(STLAB_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(STLAB_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
