#include "plugins/models/efficientnet.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "torch/nn/modules/batchnorm.h"

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

EfficientNetOptions Tiny(std::string variant) {
  return EfficientNetOptions(std::move(variant)).width_multiplier(0.25).depth_multiplier(0.25);
}

at::Tensor SumOfOutputs(const Features& features) {
  at::Tensor sum = at::zeros({});
  for (const auto& [name, map] : features) sum = sum + map.sum();
  return sum;
}

// Per variant: torchvision's parameter count of features.0..features.7 and the
// channels of c2..c5. The counts are torchvision's published num_params (B0
// 5,288,548 ... B7 66,347,960) minus its classifier, Linear(4c, 1000), and
// features.8, a 1x1 conv c -> 4c without bias plus a batch norm, where c is the last
// stage's width; e.g. B0: 5,288,548 - (1280 * 1000 + 1000) - (320 * 1280 + 2 * 1280).
struct VariantFacts {
  const char* variant;
  int64_t parameters;
  std::vector<int64_t> channels;
};

class EfficientNetVariantTest : public ::testing::TestWithParam<VariantFacts> {};

TEST_P(EfficientNetVariantTest, ParameterCountAndWidthsMatchTorchvision) {
  const VariantFacts& facts = GetParam();
  EfficientNet net(EfficientNetOptions(facts.variant));
  EXPECT_EQ(CountParameters(*net), facts.parameters);
  const FeatureSpecs& specs = net->OutputSpecs();
  const std::vector<std::string> names = {"c2", "c3", "c4", "c5"};
  ASSERT_EQ(specs.size(), names.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(specs[i].name, names[i]);
    EXPECT_EQ(specs[i].stride, int64_t{4} << i);
    EXPECT_EQ(specs[i].channels, facts.channels[i]) << specs[i].name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllVariants, EfficientNetVariantTest,
    ::testing::Values(VariantFacts{"b0", 3'595'388, {24, 40, 112, 320}},
                      VariantFacts{"b1", 6'101'024, {24, 40, 112, 320}},
                      VariantFacts{"b2", 7'202'562, {24, 48, 120, 352}},
                      VariantFacts{"b3", 10'103'336, {32, 48, 136, 384}},
                      VariantFacts{"b4", 16'742'216, {32, 56, 160, 448}},
                      VariantFacts{"b5", 27'288'112, {40, 64, 176, 512}},
                      VariantFacts{"b6", 39'403'992, {40, 72, 200, 576}},
                      VariantFacts{"b7", 62'143'440, {48, 80, 224, 640}}),
    [](const ::testing::TestParamInfo<VariantFacts>& info) { return info.param.variant; });

TEST(EfficientNetTest, ForwardShapesMatchOutputSpecs) {
  for (const EfficientNetOptions& options :
       {EfficientNetOptions("b0"), Tiny("b3"), EfficientNetOptions("b7").width_multiplier(0.125)
                                                  .depth_multiplier(0.1)}) {
    EfficientNet net(options);
    const FeatureSpecs& specs = net->OutputSpecs();
    for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {96, 64}}) {
      const Features out = net->Forward(at::randn({2, 3, h, w}));
      ASSERT_EQ(out.size(), specs.size());
      for (const FeatureSpec& spec : specs) {
        ASSERT_TRUE(out.count(spec.name)) << spec.name;
        EXPECT_EQ(out.at(spec.name).sizes(),
                  (std::vector<int64_t>{2, spec.channels, h / spec.stride, w / spec.stride}))
            << options.variant() << " " << spec.name << " at " << h << "x" << w;
      }
    }
  }
}

TEST(EfficientNetTest, NamesAndShapesFollowTorchvision) {
  EfficientNet net(EfficientNetOptions("b0"));
  auto params = net->named_parameters();
  const std::vector<std::string> keys = params.keys();
  const std::vector<std::string> buffers = net->named_buffers().keys();
  for (const char* name :
       {"features.0.0.weight", "features.0.1.weight", "features.0.1.bias",
        "features.1.0.block.0.0.weight", "features.1.0.block.1.fc1.weight",
        "features.1.0.block.1.fc2.bias", "features.1.0.block.2.1.weight",
        "features.2.0.block.0.0.weight", "features.2.1.block.2.fc1.bias",
        "features.4.2.block.3.0.weight", "features.7.0.block.3.1.bias"}) {
    EXPECT_THAT(keys, Contains(name));
  }
  for (const char* name : {"features.0.1.running_mean", "features.7.0.block.3.1.running_var",
                           "features.4.2.block.1.1.num_batches_tracked"}) {
    EXPECT_THAT(buffers, Contains(name));
  }
  // Stage 1 has expand ratio 1: no expansion, so block.3 does not exist there.
  EXPECT_THAT(keys, Not(Contains("features.1.0.block.3.0.weight")));
  EXPECT_THAT(keys, Not(Contains("features.0.0.bias")));
  EXPECT_THAT(keys, Not(Contains("features.8.0.weight")));
  EXPECT_THAT(keys, Not(Contains("features.7.1.block.0.0.weight")));
  // features.2.0: 16 -> 96 expanded, depthwise 3x3 stride 2, squeeze to 16 / 4, 24 out.
  EXPECT_EQ(params["features.2.0.block.0.0.weight"].sizes(), (std::vector<int64_t>{96, 16, 1, 1}));
  EXPECT_EQ(params["features.2.0.block.1.0.weight"].sizes(), (std::vector<int64_t>{96, 1, 3, 3}));
  EXPECT_EQ(params["features.2.0.block.2.fc1.weight"].sizes(), (std::vector<int64_t>{4, 96, 1, 1}));
  EXPECT_EQ(params["features.2.0.block.3.0.weight"].sizes(), (std::vector<int64_t>{24, 96, 1, 1}));
  EXPECT_EQ(params["features.3.0.block.1.0.weight"].sizes(), (std::vector<int64_t>{144, 1, 5, 5}));
  auto modules = net->named_modules();
  EXPECT_EQ(modules["features.2.0.block.1.0"]->as<torch::nn::Conv2d>()->options.stride()->at(0), 2);
  EXPECT_EQ(modules["features.5.0.block.1.0"]->as<torch::nn::Conv2d>()->options.stride()->at(0), 1);
}

TEST(EfficientNetTest, MultipliersCompoundWithTheVariantAndShrinkIt) {
  // B1's depth 1.1 times 0.5: ceil({1, 2, 2, 3, 3, 4, 1} * 0.55) blocks.
  EfficientNet net(EfficientNetOptions("b1").width_multiplier(0.5).depth_multiplier(0.5));
  auto modules = net->named_modules();
  const std::vector<size_t> blocks = {1, 2, 2, 2, 2, 3, 1};
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(modules["features." + std::to_string(i + 1)]->children().size(), blocks[i]);
  }
  // MakeDivisible(32 * 0.5) = 16; c2..c5 from 24, 40, 112, 320 halved, rounded to 8.
  EXPECT_EQ(modules["features.0.0"]->as<torch::nn::Conv2d>()->options.out_channels(), 16);
  const FeatureSpecs& specs = net->OutputSpecs();
  EXPECT_EQ(specs[0].channels, 16);
  EXPECT_EQ(specs[1].channels, 24);
  EXPECT_EQ(specs[2].channels, 56);
  EXPECT_EQ(specs[3].channels, 160);
  EXPECT_LT(CountParameters(*net), CountParameters(*EfficientNet(EfficientNetOptions("b1"))) / 4);
  EXPECT_LT(CountParameters(*EfficientNet(Tiny("b0"))), 100'000);
}

TEST(EfficientNetTest, MakeDivisibleFollowsTorchvision) {
  EXPECT_EQ(MakeDivisible(32 * 1.1), 32);  // 35.2 rounds down, within 10%.
  EXPECT_EQ(MakeDivisible(40 * 1.4), 56);
  EXPECT_EQ(MakeDivisible(112 * 1.1), 120);  // 123.2 -> 120.
  EXPECT_EQ(MakeDivisible(3), 8);            // At least 8.
  EXPECT_EQ(MakeDivisible(84), 88);          // Ties round up.
}

TEST(EfficientNetTest, DropRateGrowsLinearlyOverBlocks) {
  EfficientNet net(EfficientNetOptions("b0").drop_connect_rate(0.2));
  auto modules = net->named_modules();
  auto rate = [&](const std::string& name) { return modules[name]->as<MBConv>()->options.drop_rate(); };
  // 16 blocks: features.1.0 is block 0, features.5.0 block 8, features.7.0 block 15.
  EXPECT_DOUBLE_EQ(rate("features.1.0"), 0.0);
  EXPECT_DOUBLE_EQ(rate("features.5.0"), 0.2 * 8 / 16);
  EXPECT_DOUBLE_EQ(rate("features.7.0"), 0.2 * 15 / 16);
  EXPECT_FALSE(modules["features.4.0"]->as<MBConv>()->has_shortcut());
  EXPECT_TRUE(modules["features.4.1"]->as<MBConv>()->has_shortcut());
}

TEST(EfficientNetTest, StochasticDepthIsSeededAndTrainOnly) {
  at::manual_seed(0);
  EfficientNet net(EfficientNetOptions("b0").width_multiplier(0.25).drop_connect_rate(0.8));
  const at::Tensor images = at::randn({4, 3, 64, 64});
  net->train();
  auto forward = [&](uint64_t seed) {
    at::manual_seed(seed);
    return net->Forward(images).at("c5");
  };
  const at::Tensor a = forward(7);
  EXPECT_TRUE(at::equal(forward(7), a));
  EXPECT_FALSE(at::equal(forward(8), a));

  net->eval();
  const at::Tensor e = forward(7);
  EXPECT_TRUE(at::equal(forward(8), e));
}

TEST(EfficientNetTest, NoDropRateMeansNoRandomness) {
  EfficientNet net(Tiny("b0").drop_connect_rate(0.0));
  net->train();
  const at::Tensor images = at::randn({2, 3, 64, 64});
  at::manual_seed(1);
  const at::Tensor a = net->Forward(images).at("c5");
  at::manual_seed(2);
  EXPECT_TRUE(at::equal(net->Forward(images).at("c5"), a));
}

TEST(EfficientNetTest, NormOptionsReachEveryBatchNorm) {
  for (const auto& norm : {EfficientNetNormOptions(),
                           EfficientNetNormOptions().momentum(0.1).epsilon(1e-5)}) {
    EfficientNet net(Tiny("b0").norm(norm));
    int64_t norms = 0;
    for (const auto& module : net->modules()) {
      if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
        ++norms;
        EXPECT_DOUBLE_EQ(bn->options.momentum().value(), norm.momentum());
        EXPECT_DOUBLE_EQ(bn->options.eps(), norm.epsilon());
      }
    }
    EXPECT_GT(norms, 0);
  }
  EXPECT_DOUBLE_EQ(EfficientNetNormOptions().momentum(), 0.01);
  EXPECT_DOUBLE_EQ(EfficientNetNormOptions().epsilon(), 1e-3);
}

TEST(EfficientNetTest, FreezeBnKeepsStatisticsAndAffineFixedInTraining) {
  EfficientNet net(Tiny("b0").freeze_bn(true));
  net->train();
  EXPECT_TRUE(net->is_training());
  const at::Tensor mean_before = net->named_buffers()["features.0.1.running_mean"].clone();
  SumOfOutputs(net->Forward(at::randn({2, 3, 64, 64}) * 3 + 1)).backward();
  EXPECT_TRUE(at::equal(net->named_buffers()["features.0.1.running_mean"], mean_before));
  for (const auto& module : net->modules(/*include_self=*/false)) {
    if (module->as<torch::nn::BatchNorm2d>() == nullptr) continue;
    EXPECT_FALSE(module->is_training());
    for (const auto& p : module->parameters()) {
      EXPECT_FALSE(p.requires_grad());
      EXPECT_FALSE(p.grad().defined());
    }
  }
  EXPECT_TRUE(net->named_parameters()["features.0.0.weight"].grad().defined());
  EXPECT_TRUE(net->named_parameters()["features.1.0.block.1.fc1.weight"].grad().defined());
}

TEST(EfficientNetTest, UnfrozenBnUpdatesStatisticsInTraining) {
  EfficientNet net(Tiny("b0"));
  net->train();
  const at::Tensor mean_before = net->named_buffers()["features.0.1.running_mean"].clone();
  net->Forward(at::randn({2, 3, 64, 64}) * 3 + 1);
  EXPECT_FALSE(at::equal(net->named_buffers()["features.0.1.running_mean"], mean_before));
}

TEST(EfficientNetTest, MBConvClonesWithItsOwnParameters) {
  MBConv block(MBConvOptions(16, 16).expand_ratio(6).kernel_size(5));
  block->eval();
  auto copy = std::dynamic_pointer_cast<MBConvImpl>(block->clone());
  ASSERT_NE(copy, nullptr);
  const at::Tensor x = at::randn({2, 16, 8, 8});
  EXPECT_TRUE(at::allclose(copy->forward(x), block->forward(x)));
  EXPECT_EQ(copy->named_parameters().keys(), block->named_parameters().keys());
  copy->named_parameters()["block.0.0.weight"].data().zero_();
  EXPECT_FALSE(at::allclose(copy->forward(x), block->forward(x)));
}

TEST(EfficientNetTest, CheckRejectsUnknownVariantAndBadOptions) {
  EXPECT_THAT(CheckEfficientNetOptions(EfficientNetOptions("b7")), IsOk());
  EXPECT_THAT(
      CheckEfficientNetOptions(EfficientNetOptions("b8")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("variant must be one of {b0, b1, b2, b3, b4, b5, b6, b7}, got \"b8\"")));
  EXPECT_THAT(CheckEfficientNetOptions(EfficientNetOptions("b0").width_multiplier(0)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("width_multiplier must be > 0, got 0")));
  EXPECT_THAT(CheckEfficientNetOptions(EfficientNetOptions("b0").depth_multiplier(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("depth_multiplier")));
  EXPECT_THAT(CheckEfficientNetOptions(EfficientNetOptions("b0").drop_connect_rate(1.5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("drop_connect_rate")));
  EXPECT_THAT(
      CheckEfficientNetOptions(EfficientNetOptions("b0").norm(EfficientNetNormOptions().epsilon(0))),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bn_epsilon")));
  EXPECT_THROW(EfficientNet(EfficientNetOptions("B0")), c10::Error);
}

}  // namespace
}  // namespace stlab::models
