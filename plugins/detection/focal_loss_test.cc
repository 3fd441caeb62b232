#include "plugins/detection/focal_loss.h"

#include <cmath>
#include <vector>

#include "ATen/ATen.h"
#include "c10/util/Exception.h"
#include "gtest/gtest.h"

namespace stlab::detection {
namespace {

TEST(FocalLossTest, MatchesHandComputedValues) {
  // logit 0, target 1: p = 0.5, BCE = ln 2 = 0.693147, p_t = 0.5,
  //   (1 - p_t)^2 = 0.25, alpha_t = 0.25 -> 0.25 * 0.25 * 0.693147 = 0.0433217.
  // logit 2, target 0: p = sigmoid(2) = 0.880797, BCE = ln(1 + e^2) = 2.126928,
  //   p_t = 1 - p = 0.119203, (1 - p_t)^2 = 0.775803, alpha_t = 0.75
  //   -> 0.75 * 0.775803 * 2.126928 = 1.237559.
  // Sum: 1.280880.
  const at::Tensor logits = at::tensor({0.0f, 2.0f});
  const at::Tensor targets = at::tensor({1.0f, 0.0f});
  EXPECT_NEAR(SigmoidFocalLoss(logits, targets).item<float>(), 1.280880f, 1e-5);
  // Without alpha weighting: 0.25 * 0.693147 + 0.775803 * 2.126928 = 1.823365.
  EXPECT_NEAR(SigmoidFocalLoss(logits, targets, /*alpha=*/-1).item<float>(), 1.823365f, 1e-5);
}

TEST(FocalLossTest, SoftTargetsMatchHandComputedValueAndAreMinimalWhereProbabilityMeetsTarget) {
  // logit 0, target 0.7: p = 0.5, BCE = -(0.7 ln 0.5 + 0.3 ln 0.5) = 0.693147,
  //   |t - p|^2 = 0.04, alpha_t = 0.25 * 0.7 + 0.75 * 0.3 = 0.4 -> 0.0110904.
  EXPECT_NEAR(SigmoidFocalLoss(at::tensor({0.0f}), at::tensor({0.7f})).item<float>(), 0.0110904f,
              1e-6);
  // At p = t the gradient vanishes: the student is pulled to the teacher's score,
  // not past it.
  const at::Tensor at_target = at::tensor({std::log(0.7f / 0.3f)}).requires_grad_(true);
  SigmoidFocalLoss(at_target, at::tensor({0.7f})).backward();
  EXPECT_NEAR(at_target.grad().item<float>(), 0.0f, 1e-6);
}

TEST(FocalLossTest, GammaZeroWithoutAlphaIsBinaryCrossEntropy) {
  const at::Tensor logits = at::randn({5, 3});
  const at::Tensor targets = (at::rand({5, 3}) > 0.5).to(at::kFloat);
  const at::Tensor bce =
      at::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::Sum);
  EXPECT_TRUE(at::allclose(SigmoidFocalLoss(logits, targets, -1, 0), bce));
}

TEST(FocalLossTest, LargeLogitsGiveFiniteLossAndGradient) {
  // Confidently wrong: BCE = 100, p_t = 0 -> alpha_t * 1 * 100 = 25 + 75.
  const at::Tensor logits = at::tensor({-100.0f, 100.0f}).requires_grad_(true);
  const at::Tensor loss = SigmoidFocalLoss(logits, at::tensor({1.0f, 0.0f}));
  EXPECT_NEAR(loss.item<float>(), 100.0f, 1e-3);
  loss.backward();
  EXPECT_TRUE(at::isfinite(logits.grad()).all().item<bool>()) << logits.grad();
  // Confidently right: the loss vanishes instead of becoming NaN.
  EXPECT_EQ(SigmoidFocalLoss(at::tensor({100.0f}), at::tensor({1.0f})).item<float>(), 0.0f);
}

TEST(FocalLossTest, GradientMatchesFiniteDifferences) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const at::Tensor logits = at::randn({4, 3}, gen, at::kDouble) * 3;
  at::Tensor targets = at::zeros({4, 3}, at::kDouble);
  targets.index_put_({at::arange(4), at::tensor(std::vector<int64_t>{0, 2, 1, 0})}, 1.0);
  const at::Tensor x = logits.clone().requires_grad_(true);
  SigmoidFocalLoss(x, targets).backward();
  const double eps = 1e-6;
  for (int64_t i = 0; i < logits.numel(); ++i) {
    const at::Tensor plus = logits.clone();
    const at::Tensor minus = logits.clone();
    plus.view({-1})[i].add_(eps);
    minus.view({-1})[i].sub_(eps);
    const double numeric = (SigmoidFocalLoss(plus, targets).item<double>() -
                            SigmoidFocalLoss(minus, targets).item<double>()) /
                           (2 * eps);
    EXPECT_NEAR(x.grad().view({-1})[i].item<double>(), numeric, 1e-6) << "element " << i;
  }
}

TEST(FocalLossTest, RejectsMismatchedShapes) {
  EXPECT_THROW(SigmoidFocalLoss(at::zeros({2, 3}), at::zeros({3, 2})), c10::Error);
}

}  // namespace
}  // namespace stlab::detection
