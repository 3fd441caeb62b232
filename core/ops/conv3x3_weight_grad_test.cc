#include "core/ops/conv3x3_weight_grad.h"

#include <tuple>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/tensor_compare.h"

namespace stlab {
namespace {

using stlab::testing::RelativeError;

// LibTorch's weight gradient of conv2d(input, w, stride=1, padding=1).
at::Tensor DirectWeightGrad(const at::Tensor& grad_output, const at::Tensor& input) {
  const at::Tensor weight = at::zeros({grad_output.size(1), input.size(1), 3, 3});
  return std::get<1>(at::convolution_backward(grad_output, input, weight, std::nullopt, {1, 1},
                                              {1, 1}, {1, 1}, false, {0, 0}, 1,
                                              {false, true, false}));
}

TEST(Conv3x3WeightGradTest, AgreesWithTheDirectKernelInEitherLayout) {
  for (const at::MemoryFormat layout :
       {at::MemoryFormat::Contiguous, at::MemoryFormat::ChannelsLast}) {
    SCOPED_TRACE(layout == at::MemoryFormat::Contiguous ? "contiguous" : "channels-last");
    at::manual_seed(0);
    // Odd channel counts, a non-square map: every border case of the patches.
    const at::Tensor input = at::randn({3, 5, 6, 4}).contiguous(layout);
    const at::Tensor grad_output = at::randn({3, 7, 6, 4}).contiguous(layout);
    const at::Tensor got = Conv3x3WeightGrad(grad_output, input);
    EXPECT_EQ(got.sizes(), (at::IntArrayRef{7, 5, 3, 3}));
    EXPECT_TRUE(got.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_LT(RelativeError(got, DirectWeightGrad(grad_output, input)), 1e-5);
  }
}

TEST(Conv3x3WeightGradTest, ChunksOfAnySizeSumToTheSameGradient) {
  at::manual_seed(0);
  const at::Tensor input = at::randn({2, 8, 5, 5});
  const at::Tensor grad_output = at::randn({2, 3, 5, 5});
  const at::Tensor want = DirectWeightGrad(grad_output, input);
  // One patch row (72 floats) per chunk, 7 rows (50 = 7 x 7 + 1: a short last chunk),
  // and everything at once.
  for (const int64_t chunk_floats : {int64_t{1}, int64_t{7 * 72}, int64_t{1} << 20}) {
    SCOPED_TRACE(chunk_floats);
    EXPECT_LT(RelativeError(Conv3x3WeightGrad(grad_output, input, chunk_floats), want), 1e-5);
  }
}

TEST(Conv3x3WeightGradTest, OnePixelMapsSeeOnlyTheCentreTap) {
  const at::Tensor input = at::full({2, 3, 1, 1}, 2.0);
  const at::Tensor grad_output = at::ones({2, 4, 1, 1});
  const at::Tensor got = Conv3x3WeightGrad(grad_output, input);
  at::Tensor want = at::zeros({4, 3, 3, 3});
  want.select(2, 1).select(2, 1).fill_(4.0);  // Two images x 2.0 at the centre.
  EXPECT_TRUE(at::equal(got, want));
}

TEST(Conv3x3WeightGradTest, AnEmptyBatchHasAZeroGradient) {
  const at::Tensor got = Conv3x3WeightGrad(at::zeros({0, 4, 5, 5}), at::zeros({0, 3, 5, 5}));
  EXPECT_TRUE(at::equal(got, at::zeros({4, 3, 3, 3})));
}

TEST(Conv3x3WeightGradTest, MismatchedShapesAreErrorsThatNameThem) {
  try {
    Conv3x3WeightGrad(at::zeros({2, 4, 5, 6}), at::zeros({2, 3, 5, 5}));
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find("[2, 4, 5, 6]"), std::string::npos)
        << e.what_without_backtrace();
  }
  EXPECT_THROW(Conv3x3WeightGrad(at::zeros({4, 5, 5}), at::zeros({3, 5, 5})), c10::Error);
  EXPECT_THROW(Conv3x3WeightGrad(at::zeros({1, 4, 5, 5}, at::kDouble), at::zeros({1, 3, 5, 5})),
               c10::Error);
}

}  // namespace
}  // namespace stlab
