#include "plugins/segmentation/semantic_fpn_head.h"

#include <cmath>

#include "ATen/ATen.h"
#include "c10/util/Exception.h"
#include "core/sample.h"
#include "gtest/gtest.h"
#include "torch/optim/adam.h"

namespace stlab::segmentation {
namespace {

FeatureSpecs Specs() { return {{"p3", 16, 8}, {"p4", 16, 16}, {"p5", 16, 32}}; }

Features RandomFeatures(int64_t batch, int64_t height, int64_t width, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Features features;
  for (const FeatureSpec& spec : Specs()) {
    features[spec.name] = at::randn(
        {batch, spec.channels, (height + spec.stride - 1) / spec.stride,
         (width + spec.stride - 1) / spec.stride},
        gen);
  }
  return features;
}

SemanticFpnHead MakeHead(int64_t classes) {
  torch::manual_seed(0);
  return SemanticFpnHead(SemanticFpnHeadOptions(Specs(), classes).channels(32));
}

TEST(SemanticFpnHeadTest, LogitsHaveInputResolution) {
  SemanticFpnHead head = MakeHead(4);
  const at::Tensor logits = head->Forward(RandomFeatures(2, 96, 64, 1), {96, 64});
  EXPECT_EQ(logits.sizes(), (at::IntArrayRef{2, 4, 96, 64}));
}

TEST(SemanticFpnHeadTest, OddFeatureSizesAreCroppedToTheFinestLevel) {
  SemanticFpnHead head = MakeHead(3);
  // 72 px: p3 9x9, p4 5x5 (-> 10 after x2), p5 3x3 (-> 12).
  const at::Tensor logits = head->Forward(RandomFeatures(1, 72, 72, 2), {72, 72});
  EXPECT_EQ(logits.sizes(), (at::IntArrayRef{1, 3, 72, 72}));
}

TEST(SemanticFpnHeadTest, LossIsCrossEntropyOverLabeledPixels) {
  SemanticFpnHead head = MakeHead(3);
  // Logits favouring class 0 by log(2) / 2 over each of two others, on 2 pixels.
  at::Tensor logits = at::zeros({1, 3, 1, 2});
  logits[0][0].fill_(std::log(2.0));
  at::Tensor masks = at::tensor(std::vector<uint8_t>{2, kIgnoreLabel}).reshape({1, 1, 2});
  // Pixel 0: p(2) = 1 / (2 + 1 + 1) -> -log(1/4); pixel 1 ignored.
  EXPECT_NEAR(head->Loss(logits, masks, at::Tensor()).at("seg").item<double>(), std::log(4.0), 1e-6);
}

TEST(SemanticFpnHeadTest, SoftTargetsGiveCrossEntropyAgainstTheirProbabilitiesOverLabeledPixels) {
  SemanticFpnHead head = MakeHead(3);
  at::Tensor logits = at::zeros({1, 3, 1, 2});
  logits[0][0].fill_(std::log(2.0));  // p = (1/2, 1/4, 1/4) at both pixels.
  const at::Tensor masks = at::tensor(std::vector<uint8_t>{0, kIgnoreLabel}).reshape({1, 1, 2});
  const at::Tensor soft = at::tensor({0.5f, 0.5f, 0.25f, 0.5f, 0.25f, 0.0f}).reshape({1, 3, 1, 2});
  // Pixel 0: -(0.5 log 1/2 + 0.25 log 1/4 + 0.25 log 1/4) = 1.5 log 2; pixel 1 ignored.
  EXPECT_NEAR(head->Loss(logits, masks, soft).at("seg").item<double>(), 1.5 * std::log(2.0), 1e-6);
  // One-hot soft targets are the hard loss.
  const at::Tensor one_hot = at::zeros({1, 3, 1, 2});
  one_hot[0][2].fill_(1.0);
  const at::Tensor hard = at::tensor(std::vector<uint8_t>{2, kIgnoreLabel}).reshape({1, 1, 2});
  EXPECT_NEAR(head->Loss(logits, hard, one_hot).at("seg").item<double>(),
              head->Loss(logits, hard, at::Tensor()).at("seg").item<double>(), 1e-6);
}

TEST(SemanticFpnHeadTest, AllIgnoredMaskGivesZeroLossNotNan) {
  SemanticFpnHead head = MakeHead(3);
  at::Tensor logits = at::randn({1, 3, 4, 4}).requires_grad_();
  const at::Tensor masks = at::full({1, 4, 4}, kIgnoreLabel, at::kByte);
  const at::Tensor loss = head->Loss(logits, masks, at::Tensor()).at("seg");
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_TRUE(at::isfinite(logits.grad()).all().item<bool>());
}

TEST(SemanticFpnHeadTest, MaskValueBeyondTheClassesIsAnError) {
  SemanticFpnHead head = MakeHead(3);
  const at::Tensor masks = at::full({1, 4, 4}, 7, at::kByte);
  try {
    head->Loss(at::zeros({1, 3, 4, 4}), masks, at::Tensor());
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find("mask value 7"), std::string::npos);
  }
}

TEST(SemanticFpnHeadTest, TrainingFitsAFixedMask) {
  SemanticFpnHead head = MakeHead(2);
  const Features features = RandomFeatures(1, 32, 32, 3);
  at::Tensor masks = at::zeros({1, 32, 32}, at::kByte);
  masks.narrow(1, 8, 16).narrow(2, 8, 16).fill_(1);
  torch::optim::Adam adam(head->parameters(), torch::optim::AdamOptions(1e-2));
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < 30; ++step) {
    adam.zero_grad();
    const at::Tensor loss = head->Loss(head->Forward(features, {32, 32}), masks, at::Tensor()).at("seg");
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    loss.backward();
    adam.step();
  }
  EXPECT_LT(last, first * 0.3);
}

TEST(SemanticFpnHeadTest, OptionsAreChecked) {
  EXPECT_FALSE(CheckSemanticFpnHeadOptions(SemanticFpnHeadOptions(Specs(), 1)).ok());
  EXPECT_FALSE(
      CheckSemanticFpnHeadOptions(SemanticFpnHeadOptions(Specs(), 3).channels(20)).ok());
  EXPECT_TRUE(CheckSemanticFpnHeadOptions(
                  SemanticFpnHeadOptions(Specs(), 3).channels(20).norm("batch_norm"))
                  .ok());
  EXPECT_FALSE(
      CheckSemanticFpnHeadOptions(SemanticFpnHeadOptions({{"p3", 16, 12}}, 3)).ok());
}

}  // namespace
}  // namespace stlab::segmentation
