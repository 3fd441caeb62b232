// Process-wide tuning of glibc's malloc for LibTorch's CPU tensors.
#ifndef STLAB_CORE_MALLOC_TUNING_H_
#define STLAB_CORE_MALLOC_TUNING_H_

#include "core/export.h"

namespace stlab {

/// Keeps freed tensor memory in the process instead of returning it to the OS.
/// LibTorch's CPU allocator has no cache: every training step frees and allocates the
/// same large activations, which glibc by default maps and unmaps (or trims) each
/// time, so every step pays page faults and zeroing of fresh pages again (about 10%
/// of a small detector's step). Raises the mmap threshold to its maximum (32 MiB)
/// and stops trimming; a process then holds its peak heap until it exits. Call once
/// at process start (the `stlab` CLI does); no effect off glibc. Thread-safe.
STLAB_API void RetainFreedTensorMemory();

}  // namespace stlab

#endif  // STLAB_CORE_MALLOC_TUNING_H_
