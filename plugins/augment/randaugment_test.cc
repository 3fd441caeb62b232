// RandAugment: ops drawn uniformly at one magnitude, probabilities, determinism,
// and geometric ops keeping mask and boxes consistent.
#include "plugins/augment/randaugment.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::MaskBox;
using ::stlab::augment::testing::RectangleSample;
using ::stlab::augment::testing::SameSample;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

void ExpectBinomial(int64_t count, int64_t n, double p, const std::string& what) {
  EXPECT_LE(std::abs(static_cast<double>(count) - n * p), 5 * std::sqrt(n * p * (1 - p)) + 1)
      << what << ": " << count << " of " << n << ", p = " << p;
}

TEST(RandAugmentTest, OpListIsTheSixteenOfThePaper) {
  const std::vector<Op>& ops = RandAugmentOps();
  EXPECT_EQ(ops.size(), 16u);
  EXPECT_EQ(std::set<Op>(ops.begin(), ops.end()).size(), 16u);
  for (Op op : ops) EXPECT_NE(KindOf(op), OpKind::kPerBox) << OpName(op);
}

TEST(RandAugmentTest, OpsAreDrawnUniformlyAtTheMagnitude) {
  RandAugmentOptions options;
  options.num_ops = 2;
  options.magnitude = 7;
  const RandAugment ra(options);
  const int64_t kDraws = 2000;
  std::map<Op, int64_t> counts;
  for (uint64_t seed = 0; seed < kDraws; ++seed) {
    Rng rng(seed);
    const std::vector<OpCall> calls = ra.Draw(rng);
    ASSERT_EQ(calls.size(), 2u);
    for (const OpCall& call : calls) {
      ++counts[call.op];
      EXPECT_EQ(std::abs(call.argument), OpArgument(call.op, 7, RandAugmentConstants()));
    }
  }
  for (Op op : RandAugmentOps()) ExpectBinomial(counts[op], 2 * kDraws, 1.0 / 16, std::string(OpName(op)));
}

TEST(RandAugmentTest, EachDrawnOpRunsWithTheProbability) {
  RandAugmentOptions options;
  options.num_ops = 3;
  options.probability = 0.3;
  const RandAugment ra(options);
  int64_t ran = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    Rng rng(seed);
    ran += static_cast<int64_t>(ra.Draw(rng).size());
  }
  ExpectBinomial(ran, 3 * 2000, 0.3, "ops run");
}

TEST(RandAugmentTest, SameSeedSameResult) {
  const RandAugment ra(RandAugmentOptions{});
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Sample a = RectangleSample(64, 80, 10, 12, 50, 40);
    Sample b = RectangleSample(64, 80, 10, 12, 50, 40);
    Rng rng_a(seed), rng_b(seed);
    ASSERT_THAT(ra.Apply(a, rng_a), IsOk());
    ASSERT_THAT(ra.Apply(b, rng_b), IsOk());
    EXPECT_TRUE(SameSample(a, b)) << seed;
  }
}

TEST(RandAugmentTest, GeometricOpsMoveMaskAndBoxesTogether) {
  RandAugmentOptions options;
  options.num_ops = 1;
  options.constants = RandAugmentConstants().Scaled(0.2);
  const RandAugment ra(options, {Op::kRotateBBox, Op::kShearXBBox, Op::kShearYBBox,
                                 Op::kTranslateXBBox, Op::kTranslateYBBox});
  for (uint64_t seed = 0; seed < 40; ++seed) {
    Sample s = RectangleSample(100, 120, 40, 30, 70, 60);
    Rng rng(seed);
    ASSERT_THAT(ra.Apply(s, rng), IsOk());
    ASSERT_EQ(s.boxes.size(0), 1);
    EXPECT_LE((MaskBox(s.mask, 3) - s.boxes).abs().max().item<float>(), 2.0f) << seed;
  }
}

TEST(RandAugmentTest, OptionsAreChecked) {
  RandAugmentOptions options;
  options.magnitude = 11;
  EXPECT_THAT(Validate(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("magnitude")));
  options = {};
  options.num_ops = -1;
  EXPECT_THAT(Validate(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_ops")));
  EXPECT_THAT(Validate(RandAugmentOptions{}), IsOk());
}

}  // namespace
}  // namespace stlab::augment
