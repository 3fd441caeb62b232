// AutoAugment: the policy table, the draw of sub-policies and steps against the
// table's probabilities, determinism, and whole policies keeping mask and boxes
// consistent.
#include "plugins/augment/autoaugment.h"

#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
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

// |count - n p| within 5 standard deviations (and one draw): cannot flake.
void ExpectBinomial(int64_t count, int64_t n, double p, const std::string& what) {
  EXPECT_LE(std::abs(static_cast<double>(count) - n * p), 5 * std::sqrt(n * p * (1 - p)) + 1)
      << what << ": " << count << " of " << n << ", p = " << p;
}

TEST(AutoAugmentTest, EveryPolicyLoadsWithKnownOpsAndValidNumbers) {
  const std::map<std::string, size_t> sizes = {{"v0", 5}, {"v1", 20}, {"v2", 15}, {"v3", 15}};
  ASSERT_EQ(PolicyVersions(), (std::vector<std::string>{"v0", "v1", "v2", "v3"}));
  for (const std::string& version : PolicyVersions()) {
    auto policy = DetectionPolicy(version);
    ASSERT_THAT(policy, IsOk()) << version;
    EXPECT_EQ(policy->size(), sizes.at(version)) << version;
    for (const SubPolicy& sub : *policy) {
      EXPECT_THAT(sub.size(), ::testing::AllOf(::testing::Ge(2u), ::testing::Le(3u)));
      for (const PolicyStep& step : sub) {
        EXPECT_GE(step.probability, 0.0);
        EXPECT_LE(step.probability, 1.0);
        EXPECT_GE(step.level, 0.0);
        EXPECT_LE(step.level, kMaxLevel);
      }
    }
  }
  EXPECT_THAT(DetectionPolicy("v9"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("known: v0, v1, v2, v3")));
}

TEST(AutoAugmentTest, PolicyV0IsThePapers) {
  auto v0 = DetectionPolicy("v0");
  ASSERT_THAT(v0, IsOk());
  const PolicyStep& rotate = (*v0)[4][0];
  EXPECT_EQ(rotate.op, Op::kRotateBBox);
  EXPECT_EQ(rotate.probability, 0.6);
  EXPECT_EQ(rotate.level, 10);
  EXPECT_EQ((*v0)[1][0].op, Op::kTranslateYOnlyBBoxes);
  EXPECT_EQ((*v0)[1][1].op, Op::kCutout);
}

TEST(AutoAugmentTest, SubPoliciesAndStepsAreDrawnWithTheTablesProbabilities) {
  for (const std::string& version : {"v0", "v2"}) {
    auto policy = DetectionPolicy(version);
    ASSERT_THAT(policy, IsOk());
    const AutoAugment aa(*policy, AutoAugmentConstants());
    const int64_t kDraws = 2000;
    std::vector<int64_t> chosen(policy->size());
    std::vector<std::vector<int64_t>> ran(policy->size(), std::vector<int64_t>(3));
    for (int64_t seed = 0; seed < kDraws; ++seed) {
      Rng rng(DeriveSeed({7, static_cast<uint64_t>(seed)}));
      const AutoAugment::Plan plan = aa.Draw(rng);
      const SubPolicy& sub = (*policy)[static_cast<size_t>(plan.sub_policy)];
      ASSERT_EQ(plan.steps.size(), sub.size());
      ++chosen[static_cast<size_t>(plan.sub_policy)];
      for (size_t j = 0; j < sub.size(); ++j) {
        if (!plan.steps[j]) continue;
        ++ran[static_cast<size_t>(plan.sub_policy)][j];
        const double argument = OpArgument(sub[j].op, sub[j].level, AutoAugmentConstants());
        EXPECT_EQ(std::abs(plan.steps[j]->argument), argument) << OpName(sub[j].op);
      }
    }
    for (size_t i = 0; i < policy->size(); ++i) {
      ExpectBinomial(chosen[i], kDraws, 1.0 / policy->size(), version + " sub-policy");
      for (size_t j = 0; j < (*policy)[i].size(); ++j) {
        const PolicyStep& step = (*policy)[i][j];
        const bool per_box = KindOf(step.op) == OpKind::kPerBox;
        ExpectBinomial(ran[i][j], chosen[i], per_box ? 1.0 : step.probability,
                       absl::StrCat(version, " ", i, " ", OpName(step.op)));
      }
    }
  }
}

TEST(AutoAugmentTest, SignsAreDrawnHalfAndHalf) {
  const AutoAugment aa({{{Op::kRotateBBox, 1.0, 10}}}, AutoAugmentConstants());
  int64_t negative = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    Rng rng(seed);
    negative += aa.Draw(rng).steps[0]->argument < 0 ? 1 : 0;
  }
  ExpectBinomial(negative, 2000, 0.5, "negative rotations");
}

TEST(AutoAugmentTest, RotateAtLevel10TurnsByThirtyDegrees) {
  const AutoAugment aa({{{Op::kRotateBBox, 1.0, 10}}}, AutoAugmentConstants());
  for (uint64_t seed = 0; seed < 6; ++seed) {
    // A 2 x 2 blob 20 px right of the centre of a 100 x 100 image.
    Sample s = RectangleSample(100, 100, 69, 49, 71, 51);
    Rng rng(seed);
    ASSERT_THAT(aa.Apply(s, rng), IsOk());
    const at::Tensor yx = (s.mask == 3).nonzero().to(at::kDouble);
    ASSERT_GT(yx.size(0), 0);
    const double x = yx.select(1, 1).mean().item<double>() + 0.5 - 50.0;
    const double y = yx.select(1, 0).mean().item<double>() + 0.5 - 50.0;
    EXPECT_NEAR(std::abs(std::atan2(y, x)) * 180.0 / std::numbers::pi, 30.0, 2.0);
    EXPECT_NEAR(std::hypot(x, y), 20.0, 1.0);
  }
}

TEST(AutoAugmentTest, SameSeedSameResult) {
  auto policy = DetectionPolicy("v1");
  ASSERT_THAT(policy, IsOk());
  const AutoAugment aa(*policy, AutoAugmentConstants().Scaled(0.2));
  int64_t changed = 0;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    Sample a = RectangleSample(64, 80, 10, 12, 50, 40);
    Sample b = RectangleSample(64, 80, 10, 12, 50, 40);
    Rng rng_a(seed), rng_b(seed);
    ASSERT_THAT(aa.Apply(a, rng_a), IsOk());
    ASSERT_THAT(aa.Apply(b, rng_b), IsOk());
    EXPECT_TRUE(SameSample(a, b)) << seed;
    changed += SameSample(a, RectangleSample(64, 80, 10, 12, 50, 40)) ? 0 : 1;
  }
  EXPECT_GT(changed, 10);
}

TEST(AutoAugmentTest, EveryPolicyKeepsMaskAndBoxesConsistent) {
  for (const std::string& version : PolicyVersions()) {
    auto policy = DetectionPolicy(version);
    ASSERT_THAT(policy, IsOk());
    const AutoAugment aa(*policy, AutoAugmentConstants().Scaled(0.1));
    for (uint64_t seed = 0; seed < 40; ++seed) {
      Sample s = RectangleSample(100, 120, 40, 30, 70, 60);
      Rng rng(seed);
      ASSERT_THAT(aa.Apply(s, rng), IsOk());
      ASSERT_EQ(s.boxes.size(0), s.labels.size(0));
      const at::Tensor tight = MaskBox(s.mask, 3);
      if (s.boxes.size(0) == 0) {
        EXPECT_FALSE(tight.defined()) << version << " seed " << seed;
        continue;
      }
      ASSERT_TRUE(tight.defined()) << version << " seed " << seed;
      const std::string what = absl::StrCat(version, " seed ", seed);
      // The box always encloses the object (2 px for pixel rounding).
      const at::Tensor outside = at::cat({s.boxes.slice(1, 0, 2) - tight.slice(1, 0, 2),
                                          tight.slice(1, 2, 4) - s.boxes.slice(1, 2, 4)},
                                         1);
      EXPECT_LE(outside.max().item<float>(), 2.0f) << what << ": mask " << tight << " box "
                                                    << s.boxes;
      // v0 and v1 have at most one geometric op per sub-policy, so the box is also
      // tight; v2 and v3 compose rotations, and each encloses the previous box's
      // rotated corners.
      if (version == "v0" || version == "v1") {
        EXPECT_LE((tight - s.boxes).abs().max().item<float>(), 2.0f)
            << what << ": mask " << tight << " box " << s.boxes;
      }
    }
  }
}

}  // namespace
}  // namespace stlab::augment
