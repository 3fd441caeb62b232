#include "core/ops/winograd_conv2d.h"

#include <memory>

#include "ATen/ATen.h"
#include "c10/core/InferenceMode.h"
#include "gtest/gtest.h"
#include "torch/csrc/autograd/grad_mode.h"
#include "torch/nn/modules/conv.h"

namespace stlab {
namespace {

using torch::nn::Conv2dOptions;

double RelativeError(const at::Tensor& got, const at::Tensor& want) {
  return (got - want).abs().max().item<double>() / want.abs().max().item<double>();
}

// torch::nn::Conv2d's own forward on the same module: the direct convolution.
at::Tensor Direct(WinogradConv2d& conv, const at::Tensor& input) {
  return conv->torch::nn::Conv2dImpl::forward(input);
}

TEST(WinogradConv2dTest, InferenceOfAWideThreeByThreeLayerTakesWinogradAndAgrees) {
  torch::manual_seed(0);
  WinogradConv2d conv(Conv2dOptions(128, 160, 3).padding(1));
  const at::Tensor input = at::randn({2, 128, 16, 12});
  torch::NoGradGuard no_grad;
  ASSERT_TRUE(conv->TakesWinograd(input));
  const at::Tensor got = conv->forward(input);
  EXPECT_EQ(got.sizes(), (at::IntArrayRef{2, 160, 16, 12}));
  EXPECT_LT(RelativeError(got, Direct(conv, input)), 1e-5);
}

TEST(WinogradConv2dTest, AutogradAndLayersWhereItDoesNotPayTakeTheDirectConvolution) {
  torch::manual_seed(0);
  WinogradConv2d wide(Conv2dOptions(128, 128, 3).padding(1));
  const at::Tensor input = at::randn({1, 128, 16, 16});
  // Autograd records: bitwise torch::nn::Conv2d.
  EXPECT_FALSE(wide->TakesWinograd(input));
  EXPECT_TRUE(at::equal(wide->forward(input), Direct(wide, input)));

  torch::NoGradGuard no_grad;
  EXPECT_FALSE(wide->TakesWinograd(at::randn({1, 128, 4, 16})));  // Map below 8.
  WinogradConv2d thin(Conv2dOptions(64, 128, 3).padding(1));
  EXPECT_FALSE(thin->TakesWinograd(at::randn({1, 64, 16, 16})));
  WinogradConv2d strided(Conv2dOptions(128, 128, 3).padding(1).stride(2));
  EXPECT_FALSE(strided->TakesWinograd(input));
  WinogradConv2d unpadded(Conv2dOptions(128, 128, 3));
  EXPECT_FALSE(unpadded->TakesWinograd(input));
  WinogradConv2d dilated(Conv2dOptions(128, 128, 3).padding(1).dilation(2));
  EXPECT_FALSE(dilated->TakesWinograd(input));
  WinogradConv2d one_by_one(Conv2dOptions(128, 128, 1));
  EXPECT_FALSE(one_by_one->TakesWinograd(input));
  EXPECT_FALSE(wide->TakesWinograd(input.to(at::kDouble)));
  EXPECT_TRUE(at::equal(one_by_one->forward(input), Direct(one_by_one, input)));
}

TEST(WinogradConv2dTest, CachedWeightsFollowInPlaceUpdatesAndReplacedData) {
  torch::manual_seed(0);
  WinogradConv2d conv(Conv2dOptions(128, 128, 3).padding(1).bias(false));
  const at::Tensor input = at::randn({1, 128, 8, 8});
  torch::NoGradGuard no_grad;
  const at::Tensor before = conv->forward(input);
  conv->weight.mul_(2.0);  // An optimizer step: same storage, new version.
  EXPECT_LT(RelativeError(conv->forward(input), 2.0 * before), 1e-5);
  conv->weight.set_data(at::randn({128, 128, 3, 3}));  // A load: new storage.
  EXPECT_LT(RelativeError(conv->forward(input), Direct(conv, input)), 1e-5);
}

TEST(WinogradConv2dTest, WeightsCreatedInInferenceModeAreNotCached) {
  c10::InferenceMode inference;
  torch::manual_seed(0);
  WinogradConv2d conv(Conv2dOptions(128, 128, 3).padding(1).bias(false));
  ASSERT_TRUE(conv->weight.is_inference());
  const at::Tensor input = at::randn({1, 128, 8, 8});
  const at::Tensor before = conv->forward(input);
  conv->weight.mul_(2.0);  // No version counter to see this by.
  EXPECT_LT(RelativeError(conv->forward(input), 2.0 * before), 1e-5);
}

TEST(WinogradConv2dTest, CloneKeepsTheTypeAndCopiesTheParameters) {
  torch::manual_seed(0);
  WinogradConv2d conv(Conv2dOptions(128, 128, 3).padding(1));
  const std::shared_ptr<torch::nn::Module> copy = conv->clone();
  auto* typed = copy->as<WinogradConv2dImpl>();
  ASSERT_NE(typed, nullptr);
  EXPECT_NE(copy->as<torch::nn::Conv2dImpl>(), nullptr);  // Initializers find it.
  EXPECT_TRUE(at::equal(typed->weight, conv->weight));
  EXPECT_TRUE(at::equal(typed->bias, conv->bias));
  EXPECT_NE(typed->weight.data_ptr(), conv->weight.data_ptr());
}

}  // namespace
}  // namespace stlab
