// glibc mallopt settings for tensor-heavy processes.
#include "core/malloc_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace stlab {

void RetainFreedTensorMemory() {
#if defined(__GLIBC__)
  // NOTE: 32 MiB is the largest threshold glibc accepts on 64-bit; setting it also
  // turns off glibc's own threshold adaptation. Larger blocks are still mapped.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace stlab
