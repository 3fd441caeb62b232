// Backbones "resnet" and "efficientnet" and neck "fpn" built through the registries as
// the plugin registers them, wired by the backbone's declared specs.
#include "plugins/models/registration.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "core/backbone.h"
#include "core/neck.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "torch/nn/modules/batchnorm.h"

namespace stlab::models {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class ModelsRegistrationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(RegisterModels(r_), IsOk()); }
  Registries r_;
};

TEST_F(ModelsRegistrationTest, ResNetFpnWireFromDeclaredSpecs) {
  auto backbone = r_.backbones().Create(
      "resnet", {{"depth", int64_t{18}}, {"width_multiplier", 0.25}, {"depth_multiplier", 0.5}});
  ASSERT_THAT(backbone, IsOk());
  auto neck = r_.necks().Create("fpn", {{"out_channels", int64_t{16}}},
                                NeckContext{(*backbone)->OutputSpecs()});
  ASSERT_THAT(neck, IsOk());
  const FeatureSpecs& specs = (*neck)->OutputSpecs();
  ASSERT_EQ(specs.size(), 5u);
  const Features out = (*neck)->Forward((*backbone)->Forward(at::randn({2, 3, 96, 64})));
  at::Tensor loss = at::zeros({});
  for (const FeatureSpec& s : specs) {
    ASSERT_TRUE(out.count(s.name)) << s.name;
    EXPECT_EQ(out.at(s.name).sizes(), (std::vector<int64_t>{2, 16, (96 + s.stride - 1) / s.stride,
                                                            (64 + s.stride - 1) / s.stride}));
    loss = loss + out.at(s.name).sum();
  }
  loss.backward();
  for (const auto& p : (*backbone)->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST_F(ModelsRegistrationTest, EfficientNetFpnWireFromDeclaredSpecsIgnoringC2) {
  auto backbone = r_.backbones().Create(
      "efficientnet",
      {{"variant", std::string("b1")}, {"width_multiplier", 0.25}, {"depth_multiplier", 0.25}});
  ASSERT_THAT(backbone, IsOk());
  ASSERT_EQ((*backbone)->OutputSpecs().size(), 4u);
  EXPECT_EQ((*backbone)->OutputSpecs()[0].name, "c2");
  auto neck = r_.necks().Create("fpn", {{"out_channels", int64_t{16}}},
                                NeckContext{(*backbone)->OutputSpecs()});
  ASSERT_THAT(neck, IsOk());
  const FeatureSpecs& specs = (*neck)->OutputSpecs();
  ASSERT_EQ(specs.size(), 5u);
  EXPECT_EQ(specs.front().name, "p3");
  const Features out = (*neck)->Forward((*backbone)->Forward(at::randn({2, 3, 64, 64})));
  at::Tensor loss = at::zeros({});
  for (const FeatureSpec& s : specs) {
    ASSERT_TRUE(out.count(s.name)) << s.name;
    EXPECT_EQ(out.at(s.name).size(1), 16);
    loss = loss + out.at(s.name).sum();
  }
  loss.backward();
  EXPECT_TRUE((*backbone)->named_parameters()["features.0.0.weight"].grad().defined());
}

TEST_F(ModelsRegistrationTest, EfficientNetParamsReachTheBackbone) {
  auto backbone = r_.backbones().Create(
      "efficientnet", {{"width_multiplier", 0.25}, {"depth_multiplier", 0.25},
                       {"bn_epsilon", 1e-5}, {"freeze_bn", true}});
  ASSERT_THAT(backbone, IsOk());
  auto modules = (*backbone)->named_modules();
  EXPECT_DOUBLE_EQ(modules["features.0.1"]->as<torch::nn::BatchNorm2d>()->options.eps(), 1e-5);
  EXPECT_DOUBLE_EQ(
      modules["features.0.1"]->as<torch::nn::BatchNorm2d>()->options.momentum().value(), 0.01);
  (*backbone)->train();
  EXPECT_FALSE(modules["features.0.1"]->is_training());
  EXPECT_FALSE((*backbone)->named_parameters()["features.0.1.weight"].requires_grad());
}

TEST_F(ModelsRegistrationTest, EfficientNetBadParamsAreClearErrors) {
  EXPECT_THAT(r_.backbones().Create("efficientnet", {{"variant", std::string("b8")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("backbone 'efficientnet'"), HasSubstr("variant"))));
  EXPECT_FALSE(r_.backbones().Create("efficientnet", {{"width_multiplier", 0.0}}).ok());
  EXPECT_FALSE(r_.backbones().Create("efficientnet", {{"drop_connect_rate", 1.5}}).ok());
}

TEST_F(ModelsRegistrationTest, UnknownDepthIsAClearError) {
  EXPECT_THAT(r_.backbones().Create("resnet", {{"depth", int64_t{20}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("backbone 'resnet'"),
                             HasSubstr("must be one of {18, 34, 50, 101}, got 20"))));
}

TEST_F(ModelsRegistrationTest, OutOfRangeParamsAreErrors) {
  // The declaration itself refuses 0 (ParamSpec::Above), so `validate` does too.
  EXPECT_THAT(r_.backbones().Create("resnet", {{"width_multiplier", 0.0}}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("'width_multiplier' must be float > 0, got 0")));
  EXPECT_FALSE(r_.backbones().Create("resnet", {{"bn_momentum", 1.5}}).ok());
  EXPECT_FALSE(r_.necks()
                   .Create("fpn", {{"p6_from", std::string("p6")}}, NeckContext{{{"c5", 8, 32}}})
                   .ok());
}

TEST_F(ModelsRegistrationTest, FpnWithoutInputsIsAClearError) {
  EXPECT_THAT(r_.necks().Create("fpn", {}, NeckContext{}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("neck 'fpn'"), HasSubstr("needs input feature specs"))));
}

TEST_F(ModelsRegistrationTest, FreezeBnParamReachesTheBackbone) {
  auto backbone = r_.backbones().Create(
      "resnet", {{"depth", int64_t{18}}, {"width_multiplier", 0.125}, {"freeze_bn", true}});
  ASSERT_THAT(backbone, IsOk());
  (*backbone)->train();
  EXPECT_FALSE((*backbone)->named_parameters(true)["bn1.weight"].requires_grad());
  EXPECT_FALSE((*backbone)->named_modules()["bn1"]->is_training());
}

}  // namespace
}  // namespace stlab::models
