// Reading every byte of a tensor from instrumented code, so that AddressSanitizer
// sees a tensor whose storage lies outside its allocation (LibTorch's own kernels
// are not instrumented).
#ifndef STLAB_TESTS_FUZZ_TENSOR_BYTES_H_
#define STLAB_TESTS_FUZZ_TENSOR_BYTES_H_

#include <cstddef>
#include <cstdint>

#include "ATen/core/Tensor.h"

namespace stlab::fuzz {

/// Reads every byte of `tensor` (made contiguous first).
inline void TouchBytes(const at::Tensor& tensor) {
  static volatile uint64_t sink = 0;  // Keeps the reads from being optimized away.
  if (!tensor.defined()) return;
  const at::Tensor contiguous = tensor.contiguous();
  const auto* bytes = static_cast<const unsigned char*>(contiguous.const_data_ptr());
  const size_t n = static_cast<size_t>(contiguous.numel()) * contiguous.element_size();
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += bytes[i];
  sink = sum;
}

}  // namespace stlab::fuzz

#endif  // STLAB_TESTS_FUZZ_TENSOR_BYTES_H_
