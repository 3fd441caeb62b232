#include "plugins/detection/matcher.h"

#include <vector>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::detection {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

at::Tensor Rows(std::vector<float> values) { return at::tensor(values).reshape({-1, 4}); }
std::vector<int64_t> ToVector(const at::Tensor& t) {
  return {t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel()};
}

Matcher MakeMatcher(MatcherOptions options) {
  absl::StatusOr<Matcher> m = Matcher::Create(options);
  EXPECT_THAT(m, IsOk());
  return *m;
}

TEST(MatcherTest, ThresholdsSplitPositiveIgnoredBackground) {
  const Matcher matcher = MakeMatcher({.allow_low_quality_matches = false});
  // IoUs with the gt [0,0,10,10]: 1, 0.5, 0.45, 0.4, 0.2, 0.
  const at::Tensor anchors =
      Rows({0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 4.5f, 0, 0, 10, 4, 0, 0, 10, 2, 20, 20, 30, 30});
  const at::Tensor matches = matcher.Match(anchors, Rows({0, 0, 10, 10}));
  EXPECT_EQ(matches.scalar_type(), at::kLong);
  EXPECT_EQ(ToVector(matches),
            (std::vector<int64_t>{0, 0, kIgnored, kIgnored, kBackground, kBackground}));
}

TEST(MatcherTest, EachAnchorTakesItsBestBox) {
  const Matcher matcher = MakeMatcher({});
  const at::Tensor gt = Rows({0, 0, 10, 10, 20, 0, 30, 10});
  const at::Tensor anchors = Rows({21, 0, 31, 10, 1, 0, 11, 10, 100, 100, 110, 110});
  EXPECT_EQ(ToVector(matcher.Match(anchors, gt)), (std::vector<int64_t>{1, 0, kBackground}));
}

TEST(MatcherTest, LowQualityMatchesGiveEveryBoxItsBestAnchors) {
  // The gt [0,0,10,10] overlaps anchors 0 and 1 by 0.25 each (a tie) and anchor 2 by
  // 0.1; the two best become positive, the third stays background.
  const at::Tensor gt = Rows({0, 0, 10, 10});
  const at::Tensor anchors = Rows({0, 0, 10, 2.5f, 0, 7.5f, 10, 10, 0, 0, 1, 10});
  EXPECT_EQ(ToVector(MakeMatcher({}).Match(anchors, gt)),
            (std::vector<int64_t>{0, 0, kBackground}));
  EXPECT_EQ(ToVector(MakeMatcher({.allow_low_quality_matches = false}).Match(anchors, gt)),
            (std::vector<int64_t>{kBackground, kBackground, kBackground}));
}

TEST(MatcherTest, LowQualityMatchKeepsTheAnchorsOwnBestBox) {
  // Anchor 0 is gt 0's best anchor (IoU 0.30) but overlaps gt 1 more (0.36); gt 1's own
  // best anchor is anchor 2 (0.9). Promoted for gt 0, anchor 0 is matched to gt 1.
  const at::Tensor anchors = Rows({0, 0, 10, 10, 50, 50, 60, 60, 0, 0, 10, 4});
  const at::Tensor gt = Rows({0, 7, 10, 10, 0, 0, 10, 3.6f, 50, 50, 60, 60});
  EXPECT_EQ(ToVector(MakeMatcher({}).Match(anchors, gt)), (std::vector<int64_t>{1, 2, 1}));
}

TEST(MatcherTest, BoxOverlappingNoAnchorPromotesNothing) {
  const at::Tensor anchors = Rows({0, 0, 10, 10, 20, 20, 30, 30});
  EXPECT_EQ(ToVector(MakeMatcher({}).Match(anchors, Rows({100, 100, 110, 110}))),
            (std::vector<int64_t>{kBackground, kBackground}));
}

TEST(MatcherTest, NoGroundTruthMeansAllBackground) {
  const at::Tensor anchors = Rows({0, 0, 10, 10, 20, 20, 30, 30});
  EXPECT_EQ(ToVector(MakeMatcher({}).Match(anchors, at::zeros({0, 4}))),
            (std::vector<int64_t>{kBackground, kBackground}));
  EXPECT_EQ(MakeMatcher({}).Match(at::zeros({0, 4}), Rows({0, 0, 1, 1})).numel(), 0);
}

TEST(MatcherTest, IgnoreRegionsTurnCoveredBackgroundIntoIgnored) {
  const Matcher matcher = MakeMatcher({});
  // Crowd region [100,0,200,100]. Anchors: fully inside (IoA 1), half inside (IoA 0.5),
  // 40% inside (IoA 0.4), and a positive anchor inside the region.
  const at::Tensor crowd = Rows({100, 0, 200, 100});
  const at::Tensor anchors =
      Rows({120, 20, 140, 40, 90, 20, 110, 40, 88, 20, 108, 40, 150, 50, 160, 60});
  const at::Tensor gt = Rows({150, 50, 160, 60});
  EXPECT_EQ(ToVector(matcher.Match(anchors, gt, crowd)),
            (std::vector<int64_t>{kIgnored, kIgnored, kBackground, 0}));
  // Without ground truth the crowd still applies; undefined or empty regions are none.
  EXPECT_EQ(ToVector(matcher.Match(anchors, at::zeros({0, 4}), crowd)),
            (std::vector<int64_t>{kIgnored, kIgnored, kBackground, kIgnored}));
  EXPECT_EQ(ToVector(matcher.Match(anchors, at::zeros({0, 4}), at::zeros({0, 4}))),
            (std::vector<int64_t>(4, kBackground)));
  EXPECT_EQ(ToVector(matcher.Match(anchors, at::zeros({0, 4}))),
            (std::vector<int64_t>(4, kBackground)));
}

TEST(MatcherTest, RejectsInconsistentThresholds) {
  EXPECT_THAT(Matcher::Create({.positive_iou = 0.3, .negative_iou = 0.4}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative_iou")));
  EXPECT_THAT(Matcher::Create({.ignore_ioa = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ignore_ioa")));
}

}  // namespace
}  // namespace stlab::detection
