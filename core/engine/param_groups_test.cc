#include "core/engine/param_groups.h"

#include "gtest/gtest.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/modules/linear.h"

namespace stlab {
namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(8));
    fc = register_module("fc", torch::nn::Linear(8, 2));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};

TEST(ParamGroupsTest, WeightsDecayBiasesAndNormsDoNot) {
  NetImpl net;
  net.fc->bias.set_requires_grad(false);  // Frozen parameters are left out.
  ParamGroups groups = SplitForWeightDecay(net);
  ASSERT_EQ(groups.decay.size(), 2u);
  EXPECT_TRUE(groups.decay[0].is_same(net.conv->weight));
  EXPECT_TRUE(groups.decay[1].is_same(net.fc->weight));
  ASSERT_EQ(groups.no_decay.size(), 3u);  // conv bias, bn weight, bn bias.
  EXPECT_TRUE(groups.no_decay[0].is_same(net.conv->bias));
}

}  // namespace
}  // namespace stlab
