#include "plugins/init/random_initializer.h"

#include <cmath>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/modules/linear.h"

namespace stlab::init {
namespace {

using ::stlab::testing::IsOk;

struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 64, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(64));
    fc = register_module("fc", torch::nn::Linear(64, 10));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};

TEST(RandomInitializerTest, KaimingFanOutNormsAndLinears) {
  TinyNetImpl net;
  net.bn->weight.data().fill_(3.0);
  ASSERT_THAT(RandomInitializer("fan_out", 0.01).Initialize(net, 0), IsOk());
  const double expected_std = std::sqrt(2.0 / (64 * 9));
  EXPECT_NEAR(net.conv->weight.std().item<double>(), expected_std, expected_std * 0.05);
  EXPECT_EQ(net.conv->bias.abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(at::all(net.bn->weight == 1).item<bool>());
  EXPECT_NEAR(net.fc->weight.std().item<double>(), 0.01, 0.001);
}

TEST(RandomInitializerTest, SameSeedSameWeightsOtherSeedOtherWeights) {
  TinyNetImpl a, b, c;
  RandomInitializer init("fan_in", 0.01);
  ASSERT_THAT(init.Initialize(a, 7), IsOk());
  ASSERT_THAT(init.Initialize(b, 7), IsOk());
  ASSERT_THAT(init.Initialize(c, 8), IsOk());
  EXPECT_TRUE(at::equal(a.conv->weight, b.conv->weight));
  EXPECT_FALSE(at::equal(a.conv->weight, c.conv->weight));
  EXPECT_NE(init.Origin().find("fan_in"), std::string::npos);
}

}  // namespace
}  // namespace stlab::init
