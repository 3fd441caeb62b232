#include "plugins/pretrain/nt_xent_loss.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"

namespace stlab::pretrain {
namespace {

// N = 2 images, t = 0.5. Views: z0 = (1, 0), z1 = (0, 1) (view 0 of images 0 and 1),
// z2 = (0.6, 0.8), z3 = (-0.6, 0.8) (view 1). Cosines: z0.z1 = 0, z0.z2 = 0.6,
// z0.z3 = -0.6, z1.z2 = 0.8, z1.z3 = 0.8, z2.z3 = 0.28; divided by t they double.
//   anchor 0 (positive z2): -1.2 + log(e^0 + e^1.2 + e^-1.2)      = 0.330678460
//   anchor 1 (positive z3): -1.6 + log(e^0 + e^1.6 + e^1.6)       = 0.789319043
//   anchor 2 (positive z0): -1.2 + log(e^1.2 + e^1.6 + e^0.56)    = 1.104964445
//   anchor 3 (positive z1): -1.6 + log(e^-1.2 + e^1.6 + e^0.56)   = 0.346609781
// mean = 0.642892932.
TEST(NtXentLossTest, MatchesHandComputedValue) {
  const at::Tensor z = at::tensor({1.0, 0.0, 0.0, 1.0, 0.6, 0.8, -0.6, 0.8}, at::kDouble).view({4, 2});
  EXPECT_NEAR(NtXentLoss(z, 0.5).item<double>(), 0.642892932, 1e-8);
}

TEST(NtXentLossTest, NormalizesRowsAndIsDifferentiable) {
  const at::Tensor z = at::tensor({1.0, 0.0, 0.0, 1.0, 0.6, 0.8, -0.6, 0.8}, at::kDouble).view({4, 2});
  const at::Tensor scaled =
      (z * at::tensor({3.0, 0.5, 10.0, 2.0}, at::kDouble).view({4, 1})).requires_grad_(true);
  const at::Tensor loss = NtXentLoss(scaled, 0.5);
  EXPECT_NEAR(loss.item<double>(), 0.642892932, 1e-8);
  loss.backward();
  ASSERT_TRUE(scaled.grad().defined());
  EXPECT_TRUE(scaled.grad().isfinite().all().item<bool>());
}

TEST(NtXentLossTest, RejectsAnOddNumberOfRows) {
  EXPECT_THROW(NtXentLoss(at::ones({3, 2}), 0.5), c10::Error);
}

}  // namespace
}  // namespace stlab::pretrain
