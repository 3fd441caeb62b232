#include "plugins/augment/geometry.h"

#include <cmath>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::RectangleSample;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

at::Tensor Boxes(std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size()) / 4;
  return at::tensor(values).reshape({n, 4});
}

cv::Mat Wrap(const at::Tensor& t, int type) {
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), type, t.data_ptr());
}

TEST(GeometryTest, TransformBoxesScalesThenShifts) {
  const at::Tensor boxes = Boxes({2, 1, 7, 4, 0, 0, 10, 10});
  EXPECT_TRUE(at::equal(
      TransformBoxes(boxes, {.scale_x = 2, .scale_y = 0.5, .offset_x = -3, .offset_y = 1}),
      Boxes({1, 1.5, 11, 3, -3, 1, 17, 6})));
}

TEST(GeometryTest, TransformBoxesKeepsCornersOrderedUnderAMirror) {
  EXPECT_TRUE(at::equal(TransformBoxes(Boxes({2, 1, 7, 4}), {.scale_x = -1, .offset_x = 20}),
                        Boxes({13, 1, 18, 4})));
}

TEST(GeometryTest, TransformBoxesPassesEmptyAndUndefinedBoxes) {
  EXPECT_EQ(TransformBoxes(at::zeros({0, 4}), {.scale_x = 2}).sizes(),
            (std::vector<int64_t>{0, 4}));
  EXPECT_FALSE(TransformBoxes(at::Tensor(), {.scale_x = 2}).defined());
}

TEST(GeometryTest, ClipBoxesClipsAndDropsEmptyBoxesWithTheirLabels) {
  Sample s;
  s.boxes = Boxes({-5, 2, 5, 8, 12, 0, 20, 5, 3, 3, 3, 6, 1, 1, 9, 9});
  s.labels = at::tensor({int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}});
  ClipBoxes(s, /*height=*/10, /*width=*/10);
  EXPECT_TRUE(at::equal(s.boxes, Boxes({0, 2, 5, 8, 1, 1, 9, 9})));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({int64_t{0}, int64_t{3}})));
}

TEST(GeometryTest, ClipBoxesDropsTheLabelScoresOfDroppedBoxes) {
  Sample s;
  s.boxes = Boxes({-5, 2, 5, 8, 12, 0, 20, 5, 1, 1, 9, 9});
  s.labels = at::tensor({int64_t{0}, int64_t{1}, int64_t{2}});
  s.label_scores = at::tensor({0.9f, 0.8f, 0.6f});
  ClipBoxes(s, /*height=*/10, /*width=*/10);
  EXPECT_TRUE(at::equal(s.label_scores, at::tensor({0.9f, 0.6f})));
}

TEST(GeometryTest, WarpMovesEverySoftMaskPlaneWithTheMaskAndPadsWithZero) {
  Sample s = ::stlab::augment::testing::WithSoftMask(RectangleSample(40, 60, 5, 5, 30, 30));
  WarpSample(s, {.scale_x = 1.7, .scale_y = 1.3, .offset_x = -11.0, .offset_y = 4.0}, 50, 50,
             MeanPixel());
  EXPECT_TRUE(::stlab::augment::testing::SoftMaskFollowsMask(s));
  EXPECT_EQ(s.soft_mask[0][0][0].item<uint8_t>(), 0);  // Padding above the image.
}

TEST(GeometryTest, ClipBoxesDropsBoxesLessVisibleThanTheMinimum) {
  Sample s;
  s.boxes = Boxes({-5, 0, 5, 10, -8, 0, 2, 10});  // 50% and 20% visible.
  s.labels = at::tensor({int64_t{4}, int64_t{5}});
  ClipBoxes(s, 10, 10, /*min_visible_fraction=*/0.3);
  EXPECT_TRUE(at::equal(s.boxes, Boxes({0, 0, 5, 10})));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({int64_t{4}})));
}

TEST(GeometryTest, ClipBoxesKeepsAnyVisiblePartOfAnIgnoredRegion) {
  Sample s;
  s.ignore_boxes = Boxes({-9, 0, 1, 10, 11, 0, 20, 10});
  ClipBoxes(s, 10, 10, /*min_visible_fraction=*/0.5);
  EXPECT_TRUE(at::equal(s.ignore_boxes, Boxes({0, 0, 1, 10})));
}

TEST(GeometryTest, ScaleOnlyWarpIsAResize) {
  // NOTE: not 0.5, where every canvas pixel centre falls on a source pixel edge and
  // OpenCV's nearest-exact resize breaks the tie the other way.
  for (double scale : {2.0, 0.4}) {
    Sample s = RectangleSample(40, 60, 5, 7, 31, 22);
    s.image = at::randint(0, 256, {40, 60, 3}, at::kByte);
    s.mask = at::randint(0, 5, {40, 60}, at::kByte);
    const int out_h = static_cast<int>(std::lround(40 * scale));
    const int out_w = static_cast<int>(std::lround(60 * scale));
    cv::Mat image_ref;
    cv::Mat mask_ref;
    cv::resize(Wrap(s.image, CV_8UC3), image_ref, cv::Size(out_w, out_h), 0, 0, cv::INTER_LINEAR);
    cv::resize(Wrap(s.mask, CV_8U), mask_ref, cv::Size(out_w, out_h), 0, 0,
               cv::INTER_NEAREST_EXACT);
    WarpSample(s, {.scale_x = scale, .scale_y = scale}, out_h, out_w, Rgb{0, 0, 0});
    cv::Mat image_diff;
    cv::absdiff(Wrap(s.image, CV_8UC3), image_ref, image_diff);
    double max_diff = 0;
    cv::minMaxLoc(image_diff.reshape(1), nullptr, &max_diff);
    EXPECT_LE(max_diff, 1.0) << "scale " << scale;  // Fixed-point rounding only.
    EXPECT_EQ(cv::countNonZero(Wrap(s.mask, CV_8U) != mask_ref), 0) << "scale " << scale;
    EXPECT_TRUE(at::allclose(s.boxes, Boxes({5, 7, 31, 22}) * scale));
  }
}

TEST(GeometryTest, IntegerShiftCopiesPixelsAndPadsWithFillAndIgnore) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  s.image = at::randint(0, 256, {10, 20, 3}, at::kByte);
  const at::Tensor image = s.image.clone();
  const at::Tensor mask = s.mask.clone();
  WarpSample(s, {.offset_x = -3, .offset_y = 4}, 12, 12, Rgb{1, 2, 3});
  // Canvas rows [4, 12) and columns [0, 12) show source rows [0, 8), columns [3, 15).
  EXPECT_TRUE(at::equal(s.image.slice(0, 4, 12), image.slice(0, 0, 8).slice(1, 3, 15)));
  EXPECT_TRUE(at::equal(s.mask.slice(0, 4, 12), mask.slice(0, 0, 8).slice(1, 3, 15)));
  EXPECT_TRUE(at::equal(s.image.slice(0, 0, 4).reshape({-1, 3}).select(1, 2),
                        at::full({48}, 3, at::kByte)));
  EXPECT_TRUE(at::equal(s.mask.slice(0, 0, 4), at::full({4, 12}, kIgnoreLabel, at::kByte)));
  EXPECT_TRUE(at::equal(s.boxes, Boxes({0, 5, 4, 8})));
}

TEST(GeometryTest, WarpOffTheCanvasLeavesOnlyPadding) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  WarpSample(s, {.offset_x = 50}, 8, 8, Rgb{9, 9, 9});
  EXPECT_TRUE(at::equal(s.image, at::full({8, 8, 3}, 9, at::kByte)));
  EXPECT_TRUE(at::equal(s.mask, at::full({8, 8}, kIgnoreLabel, at::kByte)));
  EXPECT_EQ(s.boxes.size(0), 0);
  EXPECT_EQ(s.labels.size(0), 0);
}

TEST(GeometryTest, MeanPixelIsCollatesNormalizationMeanRounded) {
  EXPECT_EQ(MeanPixel(), (Rgb{124, 116, 104}));
}

TEST(GeometryTest, CheckSampleNamesTheOpTheSourceAndTheProblem) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  EXPECT_THAT(CheckSample(s, "op"), IsOk());
  s.image = at::zeros({10, 20}, at::kByte);
  EXPECT_THAT(CheckSample(s, "op"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("op: rectangle: image must be [H, W, 3] uint8"),
                             HasSubstr("got [10, 20]"))));
  s = RectangleSample(10, 20, 2, 1, 7, 4);
  s.mask = at::zeros({10, 21}, at::kByte);
  EXPECT_THAT(CheckSample(s, "op"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mask must be [10, 20]")));
  s = RectangleSample(10, 20, 2, 1, 7, 4);
  s.labels = at::zeros({2}, at::kLong);
  EXPECT_THAT(CheckSample(s, "op"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels must be [1]")));
  s = RectangleSample(10, 20, 2, 1, 7, 4);
  s.boxes = s.boxes.to(at::kDouble);
  EXPECT_THAT(CheckSample(s, "op"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("boxes must be [M, 4] float32")));
}

}  // namespace
}  // namespace stlab::augment
