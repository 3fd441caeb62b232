#include "plugins/self_training/loss_combiners.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "torch/autograd.h"

namespace stlab::self_training {
namespace {

using ::stlab::testing::IsOk;

at::Tensor Scalar(double v) { return at::tensor(v, at::kDouble).set_requires_grad(true); }

TEST(SumCombinerTest, WeightsThePseudoLoss) {
  SumCombiner sum(0.5);
  EXPECT_DOUBLE_EQ(sum.Combine(Scalar(2.0), Scalar(4.0)).item<double>(), 4.0);
}

TEST(LossNormalizationTest, MatchesHandComputedRunningMeans) {
  LossNormalizationCombiner c(/*alpha=*/2.0, /*decay=*/0.9, /*epsilon=*/0.0);
  // Step 1: means start at the losses: ratio = 1 / 4.
  EXPECT_DOUBLE_EQ(c.Combine(Scalar(1.0), Scalar(4.0)).item<double>(), 1.0 + 2.0 * 0.25 * 4.0);
  // Step 2: mean_h = .9*1 + .1*3 = 1.2, mean_p = .9*4 + .1*2 = 3.8.
  const double ratio = 1.2 / 3.8;
  EXPECT_DOUBLE_EQ(c.Combine(Scalar(3.0), Scalar(2.0)).item<double>(), 3.0 + 2.0 * ratio * 2.0);
  EXPECT_DOUBLE_EQ(c.State().at("mean_human"), 1.2);
  EXPECT_DOUBLE_EQ(c.State().at("mean_pseudo"), 3.8);
  EXPECT_EQ(c.State().at("steps"), 2.0);
}

TEST(LossNormalizationTest, RatioIsAConstantForAutograd) {
  LossNormalizationCombiner c(1.0, 0.99, 0.0);
  at::Tensor h = Scalar(2.0);
  at::Tensor p = Scalar(8.0);
  c.Combine(h, p).backward();
  EXPECT_DOUBLE_EQ(h.grad().item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p.grad().item<double>(), 0.25);
}

TEST(LossNormalizationTest, StateRoundTripsAndRejectsForeignState) {
  LossNormalizationCombiner a(1.0, 0.5, 0.0);
  a.Combine(Scalar(1.0), Scalar(2.0));
  LossNormalizationCombiner b(1.0, 0.5, 0.0);
  ASSERT_THAT(b.LoadState(a.State()), IsOk());
  EXPECT_DOUBLE_EQ(a.Combine(Scalar(3.0), Scalar(3.0)).item<double>(),
                   b.Combine(Scalar(3.0), Scalar(3.0)).item<double>());
  EXPECT_FALSE(b.LoadState({{"mean_human", 1.0}}).ok());
  SumCombiner sum(1.0);
  EXPECT_FALSE(sum.LoadState({{"x", 1.0}}).ok());
}

}  // namespace
}  // namespace stlab::self_training
