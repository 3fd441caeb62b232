#include "plugins/datasets/coco_mask.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::datasets {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Matches an OK absl::StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

// pycocotools' rleToString, transcribed: the encoder DecodeRleCounts inverts.
std::string EncodeRleCounts(const std::vector<uint32_t>& counts) {
  std::string text;
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t x = counts[i];
    if (i > 2) x -= counts[i - 2];
    bool more = true;
    while (more) {
      int64_t c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      text += static_cast<char>(c + '0');
    }
  }
  return text;
}

TEST(CocoRleTest, DecodesHandWorkedStrings) {
  // 3, 2 and 4 stored as is; then 1 as 1 - 2 = -1 (group 31: 'O').
  EXPECT_THAT(DecodeRleCounts("324O"), IsOkAndHolds(ElementsAre(3, 2, 4, 1)));
  // 100 = 4 + 3 * 32: group 4 with the "more" bit ('0' + 36 = 'T'), then 3.
  EXPECT_THAT(DecodeRleCounts("T3"), IsOkAndHolds(ElementsAre(100)));
  EXPECT_THAT(DecodeRleCounts(""), IsOkAndHolds(ElementsAre()));
}

TEST(CocoRleTest, DecodeInvertsPycocotoolsEncoder) {
  std::mt19937 gen(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint32_t> counts(gen() % 40);
    for (uint32_t& c : counts) c = trial % 2 ? gen() % 100000 : gen() % 50;
    EXPECT_THAT(DecodeRleCounts(EncodeRleCounts(counts)), IsOkAndHolds(counts));
  }
}

TEST(CocoRleTest, MalformedStringsAreErrors) {
  EXPECT_THAT(DecodeRleCounts("3~"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset 1")));
  EXPECT_THAT(DecodeRleCounts("3T"),  // 'T' announces a further group.
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ends inside count 1")));
  EXPECT_THAT(DecodeRleCounts("O"),  // A first count of -1.
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1")));
  EXPECT_THAT(DecodeRleCounts(std::string(20, 'o')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overlong")));
}

TEST(CocoRleTest, SizeMustMatchTheCounts) {
  EXPECT_THAT(CheckRleSize({3, 2, {1, 2, 3}}), IsOk());
  EXPECT_THAT(CheckRleSize({3, 2, {1, 2, 2}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sum to 5")));
  // Found by tests/fuzz/coco_json_fuzzer: the message's height * width overflowed
  // (undefined; UBSan signed-integer-overflow).
  EXPECT_THAT(CheckRleSize({int64_t{1} << 33, int64_t{1} << 33, {1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sum to 1 pixels")));
  EXPECT_THAT(CheckRleSize({-1, 2, {1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1 x 2 is negative")));
}

TEST(CocoRleTest, PaintsColumnMajorRuns) {
  cv::Mat mask = cv::Mat::zeros(3, 2, CV_8U);
  // Pixels in column-major order: 0 | 1 1 | 0 0 | 1.
  PaintRle({3, 2, {1, 2, 2, 1}}, 7, mask);
  const cv::Mat expected = (cv::Mat_<uint8_t>(3, 2) << 0, 0, 7, 0, 7, 7);
  EXPECT_EQ(cv::countNonZero(mask != expected), 0) << mask;
}

TEST(CocoPolygonTest, SquareOnPixelBordersCoversExactlyItsPixels) {
  cv::Mat mask = cv::Mat::zeros(8, 8, CV_8U);
  const std::vector<CocoPolygon> square = {{1, 1, 5, 1, 5, 5, 1, 5}};
  PaintPolygons(square, 3, mask);
  EXPECT_EQ(cv::countNonZero(mask), 16);
  EXPECT_EQ(cv::countNonZero(mask(cv::Rect(1, 1, 4, 4)) == 3), 16) << mask;
}

TEST(CocoPolygonTest, PartsAreUnitedAndCutAtTheBorder) {
  cv::Mat mask = cv::Mat::zeros(6, 6, CV_8U);
  // Two overlapping squares (union, not even-odd across parts), one sticking out.
  const std::vector<CocoPolygon> parts = {{0, 0, 3, 0, 3, 3, 0, 3}, {2, 2, 9, 2, 9, 9, 2, 9}};
  PaintPolygons(parts, 1, mask);
  EXPECT_EQ(cv::countNonZero(mask), 9 + 16 - 1);
  const std::vector<CocoPolygon> outside = {{-5, -5, -1, -5, -1, -1}, {10, 10, 20, 10, 20, 20}};
  cv::Mat untouched = cv::Mat::zeros(6, 6, CV_8U);
  PaintPolygons(outside, 1, untouched);
  EXPECT_EQ(cv::countNonZero(untouched), 0);
}

TEST(CocoPolygonTest, TriangleAreaMatchesGeometry) {
  cv::Mat mask = cv::Mat::zeros(200, 200, CV_8U);
  const std::vector<CocoPolygon> triangle = {{10.3f, 20.7f, 180.2f, 35.1f, 60.9f, 190.4f}};
  PaintPolygons(triangle, 1, mask);
  // Shoelace area 14 051.7; centre sampling misses or adds pixels only along the edges.
  EXPECT_NEAR(cv::countNonZero(mask), 14051.7, 0.01 * 14051.7);
}

TEST(CocoPolygonTest, DegeneratePolygonsPaintNothing) {
  cv::Mat mask = cv::Mat::zeros(4, 4, CV_8U);
  const std::vector<CocoPolygon> degenerate = {{}, {1, 1, 3, 3}, {1, 1, 2, 2, 3, 3}};
  PaintPolygons(degenerate, 1, mask);
  EXPECT_EQ(cv::countNonZero(mask), 0);
}

}  // namespace
}  // namespace stlab::datasets
