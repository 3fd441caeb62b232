#include "plugins/models/resnet.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::models {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

int64_t CountParameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

ResNetOptions Tiny(int64_t depth) {
  return ResNetOptions(depth).width_multiplier(0.125).depth_multiplier(0.25);
}

class ResNetDepthTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(ResNetDepthTest, ForwardShapesMatchOutputSpecs) {
  ResNet net(Tiny(GetParam()));
  const FeatureSpecs& specs = net->OutputSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "c3");
  EXPECT_EQ(specs[1].name, "c4");
  EXPECT_EQ(specs[2].name, "c5");
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {96, 64}}) {
    const Features out = net->Forward(at::randn({2, 3, h, w}));
    ASSERT_EQ(out.size(), specs.size());
    for (const FeatureSpec& spec : specs) {
      ASSERT_TRUE(out.count(spec.name)) << spec.name;
      EXPECT_EQ(out.at(spec.name).sizes(),
                (std::vector<int64_t>{2, spec.channels, h / spec.stride, w / spec.stride}))
          << spec.name << " at " << h << "x" << w;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllDepths, ResNetDepthTest, ::testing::Values(18, 34, 50, 101));

TEST(ResNetTest, SpecsAtFullWidthMatchTorchvisionChannels) {
  const FeatureSpecs r18 = ResNet(ResNetOptions(18))->OutputSpecs();
  const FeatureSpecs r50 = ResNet(ResNetOptions(50))->OutputSpecs();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r18[i].channels, int64_t{128} << i);
    EXPECT_EQ(r50[i].channels, int64_t{512} << i);
    EXPECT_EQ(r18[i].stride, int64_t{8} << i);
    EXPECT_EQ(r50[i].stride, int64_t{8} << i);
  }
}

// torchvision's resnet18 / resnet50 have 11,689,512 / 25,557,032 parameters, of
// which fc holds 512 * 1000 + 1000 = 513,000 / 2048 * 1000 + 1000 = 2,049,000.
TEST(ResNetTest, ParameterCountsMatchTorchvisionWithoutFc) {
  EXPECT_EQ(CountParameters(*ResNet(ResNetOptions(18))), 11'176'512);
  EXPECT_EQ(CountParameters(*ResNet(ResNetOptions(50))), 23'508'032);
}

TEST(ResNetTest, NamesFollowTorchvision) {
  ResNet r18(ResNetOptions(18).width_multiplier(0.125));
  const std::vector<std::string> params = r18->named_parameters().keys();
  const std::vector<std::string> buffers = r18->named_buffers().keys();
  for (const char* name :
       {"conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
        "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer4.1.conv2.weight"}) {
    EXPECT_THAT(params, Contains(name));
  }
  for (const char* name : {"bn1.running_mean", "layer4.1.bn2.running_var",
                           "layer3.0.downsample.1.num_batches_tracked"}) {
    EXPECT_THAT(buffers, Contains(name));
  }
  // Basic blocks keep their shape in layer1: no projection, as in torchvision.
  EXPECT_THAT(params, Not(Contains("layer1.0.downsample.0.weight")));
  EXPECT_THAT(params, Not(Contains("conv1.bias")));

  ResNet r50(ResNetOptions(50).width_multiplier(0.125));
  const std::vector<std::string> params50 = r50->named_parameters().keys();
  for (const char* name :
       {"layer1.0.downsample.0.weight", "layer1.0.conv3.weight", "layer4.2.bn3.weight"}) {
    EXPECT_THAT(params50, Contains(name));
  }
  // v1.5: the stride sits in the 3x3 convolution.
  auto modules = r50->named_modules();
  EXPECT_EQ(modules["layer2.0.conv1"]->as<torch::nn::Conv2d>()->options.stride()->at(0), 1);
  EXPECT_EQ(modules["layer2.0.conv2"]->as<torch::nn::Conv2d>()->options.stride()->at(0), 2);
}

TEST(ResNetTest, MultipliersScaleWidthsAndBlocks) {
  ResNet net(ResNetOptions(50).width_multiplier(0.05).depth_multiplier(0.5));
  // 64 * 0.05 rounds to 3, raised to 8 channels; bottleneck output is 4x.
  EXPECT_EQ(net->OutputSpecs()[0].channels, 4 * std::max<int64_t>(8, std::llround(128 * 0.05)));
  auto modules = net->named_modules();
  EXPECT_EQ(modules["conv1"]->as<torch::nn::Conv2d>()->options.out_channels(), 8);
  // {3, 4, 6, 3} * 0.5 rounded up.
  EXPECT_EQ(modules["layer1"]->children().size(), 2u);
  EXPECT_EQ(modules["layer2"]->children().size(), 2u);
  EXPECT_EQ(modules["layer3"]->children().size(), 3u);
  EXPECT_EQ(modules["layer4"]->children().size(), 2u);
}

TEST(ResNetTest, NormOptionsReachEveryBatchNorm) {
  ResNet net(Tiny(18).norm(ResNetNormOptions().momentum(0.01).epsilon(1e-3)));
  int64_t norms = 0;
  for (const auto& module : net->modules()) {
    if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      ++norms;
      EXPECT_DOUBLE_EQ(bn->options.momentum().value(), 0.01);
      EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-3);
    }
  }
  EXPECT_GT(norms, 0);
}

TEST(ResNetTest, FreezeBnKeepsStatisticsAndAffineFixedInTraining) {
  ResNet net(Tiny(18).freeze_bn(true));
  net->train();
  EXPECT_TRUE(net->is_training());
  const at::Tensor mean_before = net->named_buffers()["bn1.running_mean"].clone();
  const Features out = net->Forward(at::randn({2, 3, 64, 64}) * 3 + 1);
  (out.at("c3").sum() + out.at("c4").sum() + out.at("c5").sum()).backward();
  EXPECT_TRUE(at::equal(net->named_buffers()["bn1.running_mean"], mean_before));
  for (const auto& module : net->modules(/*include_self=*/false)) {
    if (module->as<torch::nn::BatchNorm2d>() == nullptr) continue;
    EXPECT_FALSE(module->is_training());
    for (const auto& p : module->parameters()) {
      EXPECT_FALSE(p.requires_grad());
      EXPECT_FALSE(p.grad().defined());
    }
  }
  EXPECT_TRUE(net->named_parameters()["conv1.weight"].grad().defined());
}

TEST(ResNetTest, UnfrozenBnUpdatesStatisticsInTraining) {
  ResNet net(Tiny(18));
  net->train();
  const at::Tensor mean_before = net->named_buffers()["bn1.running_mean"].clone();
  net->Forward(at::randn({2, 3, 64, 64}) * 3 + 1);
  EXPECT_FALSE(at::equal(net->named_buffers()["bn1.running_mean"], mean_before));
}

TEST(ResNetTest, CheckRejectsUnknownDepthAndBadMultipliers) {
  EXPECT_THAT(CheckResNetOptions(ResNetOptions(50)), IsOk());
  EXPECT_THAT(CheckResNetOptions(ResNetOptions(20)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("depth must be one of {18, 34, 50, 101}, got 20")));
  EXPECT_THAT(CheckResNetOptions(ResNetOptions(18).width_multiplier(0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("width_multiplier")));
  EXPECT_THAT(CheckResNetOptions(ResNetOptions(18).depth_multiplier(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("depth_multiplier")));
  EXPECT_THROW(ResNet(ResNetOptions(20)), c10::Error);
}

}  // namespace
}  // namespace stlab::models
