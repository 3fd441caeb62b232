#include "core/ops/conv2d.h"

#include <memory>

#include "ATen/ATen.h"
#include "c10/core/InferenceMode.h"
#include "gtest/gtest.h"
#include "tests/testing/tensor_compare.h"
#include "torch/csrc/autograd/grad_mode.h"
#include "torch/nn/modules/conv.h"

namespace stlab {
namespace {

using torch::nn::Conv2dOptions;

using stlab::testing::RelativeError;

// torch::nn::Conv2d's own forward on the same module: the direct convolution.
at::Tensor Direct(Conv2d& conv, const at::Tensor& input) {
  return conv->torch::nn::Conv2dImpl::forward(input);
}

TEST(Conv2dTest, InferenceOfAWideThreeByThreeLayerTakesWinogradAndAgrees) {
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(128, 160, 3).padding(1));
  const at::Tensor input = at::randn({2, 128, 16, 12});
  torch::NoGradGuard no_grad;
  ASSERT_TRUE(conv->TakesWinograd(input));
  const at::Tensor got = conv->forward(input);
  EXPECT_EQ(got.sizes(), (at::IntArrayRef{2, 160, 16, 12}));
  EXPECT_LT(RelativeError(got, Direct(conv, input)), 1e-5);
}

TEST(Conv2dTest, LayersWhereWinogradDoesNotPayTakeTheDirectConvolution) {
  torch::manual_seed(0);
  Conv2d wide(Conv2dOptions(128, 128, 3).padding(1));
  const at::Tensor input = at::randn({1, 128, 16, 16});
  EXPECT_TRUE(wide->TakesWinograd(input));
  EXPECT_FALSE(wide->TakesWinograd(at::randn({1, 128, 4, 16})));  // Map below 8.
  Conv2d thin(Conv2dOptions(64, 128, 3).padding(1));
  EXPECT_FALSE(thin->TakesWinograd(at::randn({1, 64, 16, 16})));
  Conv2d strided(Conv2dOptions(128, 128, 3).padding(1).stride(2));
  EXPECT_FALSE(strided->TakesWinograd(input));
  Conv2d unpadded(Conv2dOptions(128, 128, 3));
  EXPECT_FALSE(unpadded->TakesWinograd(input));
  Conv2d dilated(Conv2dOptions(128, 128, 3).padding(1).dilation(2));
  EXPECT_FALSE(dilated->TakesWinograd(input));
  Conv2d one_by_one(Conv2dOptions(128, 128, 1));
  EXPECT_FALSE(one_by_one->TakesWinograd(input));
  EXPECT_FALSE(wide->TakesWinograd(input.to(at::kDouble)));
  EXPECT_TRUE(at::equal(one_by_one->forward(input), Direct(one_by_one, input)));
}

TEST(Conv2dTest, GradientsAgreeWithTheDirectConvolutionInEitherLayout) {
  for (const at::MemoryFormat layout :
       {at::MemoryFormat::Contiguous, at::MemoryFormat::ChannelsLast}) {
    SCOPED_TRACE(layout == at::MemoryFormat::Contiguous ? "contiguous" : "channels-last");
    torch::manual_seed(0);
    Conv2d conv(Conv2dOptions(128, 144, 3).padding(1));
    const at::Tensor input = at::randn({2, 128, 12, 9}).contiguous(layout).requires_grad_(true);
    const at::Tensor upstream = at::randn({2, 144, 12, 9});
    ASSERT_TRUE(conv->TakesWinograd(input));

    const at::Tensor output = conv->forward(input);
    EXPECT_TRUE(output.is_contiguous(layout));
    (output * upstream).sum().backward();
    const at::Tensor grad_input = input.grad().clone();
    const at::Tensor grad_weight = conv->weight.grad().clone();
    const at::Tensor grad_bias = conv->bias.grad().clone();
    EXPECT_TRUE(grad_input.is_contiguous(layout));

    input.mutable_grad().reset();
    conv->zero_grad();
    const at::Tensor direct = Direct(conv, input);
    (direct * upstream).sum().backward();
    EXPECT_LT(RelativeError(output.detach(), direct.detach()), 1e-5);
    // The input gradient sums over more channels (144) than the output (128).
    EXPECT_LT(RelativeError(grad_input, input.grad()), 3e-5);
    EXPECT_LT(RelativeError(grad_weight, conv->weight.grad()), 3e-5);
    EXPECT_LT(RelativeError(grad_bias, conv->bias.grad()), 3e-5);
  }
}

TEST(Conv2dTest, ChannelsLastLayersBelowWinogradsWidthTakeTheGemmWeightGradientAndAgree) {
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(64, 54, 3).padding(1));
  const at::Tensor input = at::randn({2, 64, 6, 5})
                               .contiguous(at::MemoryFormat::ChannelsLast)
                               .requires_grad_(true);
  const at::Tensor upstream = at::randn({2, 54, 6, 5});
  ASSERT_FALSE(conv->TakesWinograd(input));
  ASSERT_TRUE(conv->TakesGemmWeightGrad(input));

  const at::Tensor output = conv->forward(input);
  EXPECT_TRUE(output.is_contiguous(at::MemoryFormat::ChannelsLast));
  (output * upstream).sum().backward();
  const at::Tensor grad_input = input.grad().clone();
  const at::Tensor grad_weight = conv->weight.grad().clone();
  const at::Tensor grad_bias = conv->bias.grad().clone();

  input.mutable_grad().reset();
  conv->zero_grad();
  const at::Tensor direct = Direct(conv, input);
  (direct * upstream).sum().backward();
  // Forward and input gradient are LibTorch's own kernels: the same bits.
  EXPECT_TRUE(at::equal(output, direct));
  EXPECT_TRUE(at::equal(grad_input, input.grad()));
  EXPECT_LT(RelativeError(grad_weight, conv->weight.grad()), 1e-5);
  EXPECT_LT(RelativeError(grad_bias, conv->bias.grad()), 1e-5);
}

TEST(Conv2dTest, TheGemmWeightGradientIsTakenOnlyWhereItPays) {
  const auto channels_last = [](at::IntArrayRef sizes, at::ScalarType dtype = at::kFloat) {
    return at::zeros(sizes, at::dtype(dtype)).contiguous(at::MemoryFormat::ChannelsLast);
  };
  Conv2d conv(Conv2dOptions(64, 64, 3).padding(1));
  EXPECT_TRUE(conv->TakesGemmWeightGrad(channels_last({1, 64, 64, 48})));
  EXPECT_FALSE(conv->TakesGemmWeightGrad(at::zeros({2, 64, 8, 8})));  // Contiguous.
  Conv2d thin(Conv2dOptions(32, 64, 3).padding(1));
  EXPECT_FALSE(thin->TakesGemmWeightGrad(channels_last({1, 32, 8, 8})));
  Conv2d strided(Conv2dOptions(64, 64, 3).padding(1).stride(2));
  EXPECT_FALSE(strided->TakesGemmWeightGrad(channels_last({1, 64, 8, 8})));
  EXPECT_FALSE(conv->TakesGemmWeightGrad(channels_last({1, 64, 8, 8}, at::kDouble)));
}

TEST(Conv2dTest, FrozenWeightsStillPassTheInputGradient) {
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(128, 128, 3).padding(1).bias(false));
  conv->weight.requires_grad_(false);
  const at::Tensor input = at::randn({1, 128, 8, 8}).requires_grad_(true);
  conv->forward(input).sum().backward();
  const at::Tensor grad_input = input.grad().clone();
  input.mutable_grad().reset();
  Direct(conv, input).sum().backward();
  EXPECT_LT(RelativeError(grad_input, input.grad()), 3e-5);
  EXPECT_FALSE(conv->weight.grad().defined());
}

TEST(Conv2dTest, CachedWeightsFollowInPlaceUpdatesAndReplacedData) {
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(128, 128, 3).padding(1).bias(false));
  const at::Tensor input = at::randn({1, 128, 8, 8});
  torch::NoGradGuard no_grad;
  const at::Tensor before = conv->forward(input);
  conv->weight.mul_(2.0);  // An optimizer step: same storage, new version.
  EXPECT_LT(RelativeError(conv->forward(input), 2.0 * before), 1e-5);
  conv->weight.set_data(at::randn({128, 128, 3, 3}));  // A load: new storage.
  EXPECT_LT(RelativeError(conv->forward(input), Direct(conv, input)), 1e-5);
}

TEST(Conv2dTest, WeightsCreatedInInferenceModeAreNotCached) {
  c10::InferenceMode inference;
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(128, 128, 3).padding(1).bias(false));
  ASSERT_TRUE(conv->weight.is_inference());
  const at::Tensor input = at::randn({1, 128, 8, 8});
  const at::Tensor before = conv->forward(input);
  conv->weight.mul_(2.0);  // No version counter to see this by.
  EXPECT_LT(RelativeError(conv->forward(input), 2.0 * before), 1e-5);
}

TEST(Conv2dTest, CloneKeepsTheTypeAndCopiesTheParameters) {
  torch::manual_seed(0);
  Conv2d conv(Conv2dOptions(128, 128, 3).padding(1));
  const std::shared_ptr<torch::nn::Module> copy = conv->clone();
  auto* typed = copy->as<Conv2dImpl>();
  ASSERT_NE(typed, nullptr);
  EXPECT_NE(copy->as<torch::nn::Conv2dImpl>(), nullptr);  // Initializers find it.
  EXPECT_TRUE(at::equal(typed->weight, conv->weight));
  EXPECT_TRUE(at::equal(typed->bias, conv->bias));
  EXPECT_NE(typed->weight.data_ptr(), conv->weight.data_ptr());
}

}  // namespace
}  // namespace stlab
