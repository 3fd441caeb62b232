// Comparing tensors that agree only to float rounding (different summation orders).
#ifndef STLAB_TESTS_TESTING_TENSOR_COMPARE_H_
#define STLAB_TESTS_TESTING_TENSOR_COMPARE_H_

#include "ATen/ATen.h"

namespace stlab::testing {

/// The largest elementwise difference of `got` from `want`, relative to the largest
/// magnitude in `want`.
inline double RelativeError(const at::Tensor& got, const at::Tensor& want) {
  return (got - want).abs().max().item<double>() / want.abs().max().item<double>();
}

}  // namespace stlab::testing

#endif  // STLAB_TESTS_TESTING_TENSOR_COMPARE_H_
