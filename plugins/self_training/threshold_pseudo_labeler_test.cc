#include "plugins/self_training/threshold_pseudo_labeler.h"

#include <vector>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::self_training {
namespace {

using ::stlab::testing::IsOk;

Prediction TwoDetections() {
  Prediction p;
  p.detections.boxes = at::tensor({0.f, 0.f, 5.f, 5.f, 1.f, 1.f, 3.f, 3.f}).reshape({2, 4});
  p.detections.scores = at::tensor({0.9f, 0.49f});
  p.detections.labels = at::tensor({int64_t{2}, int64_t{1}});
  return p;
}

TEST(DetectionThresholdLabelerTest, KeepsBoxesAtOrAboveThreshold) {
  Sample image;
  image.image = at::zeros({8, 8, 3}, at::kByte);
  auto labeled = DetectionThresholdLabeler(0.5, true, false).Label(image, TwoDetections());
  ASSERT_THAT(labeled, IsOk());
  ASSERT_TRUE(labeled->has_value());
  EXPECT_TRUE((*labeled)->pseudo_labeled);
  ASSERT_EQ((*labeled)->boxes.size(0), 1);
  EXPECT_EQ((*labeled)->labels[0].item<int64_t>(), 2);
  auto at_boundary = DetectionThresholdLabeler(0.49, true, false).Label(image, TwoDetections());
  EXPECT_EQ((**at_boundary).boxes.size(0), 2);
}

TEST(DetectionThresholdLabelerTest, UncertainBoxesBecomeIgnoreRegions) {
  Sample image;
  auto labeled = DetectionThresholdLabeler(0.5, true, false, 0.3).Label(image, TwoDetections());
  ASSERT_THAT(labeled, IsOk());
  ASSERT_EQ((*labeled)->boxes.size(0), 1);
  ASSERT_EQ((*labeled)->ignore_boxes.size(0), 1);
  EXPECT_TRUE(at::equal((*labeled)->ignore_boxes, TwoDetections().detections.boxes.narrow(0, 1, 1)));
  // Below the ignore threshold, and when it is not below the threshold: none.
  auto low = DetectionThresholdLabeler(0.5, true, false, 0.495).Label(image, TwoDetections());
  EXPECT_EQ((*low)->ignore_boxes.size(0), 0);
  auto off = DetectionThresholdLabeler(0.5, true, false).Label(image, TwoDetections());
  EXPECT_FALSE((*off)->ignore_boxes.defined());
}

TEST(DetectionThresholdLabelerTest, EmptyImagesAreKeptOrDroppedAsConfigured) {
  Sample image;
  auto kept = DetectionThresholdLabeler(0.95, true, false).Label(image, TwoDetections());
  ASSERT_THAT(kept, IsOk());
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ((*kept)->boxes.size(0), 0);
  auto dropped = DetectionThresholdLabeler(0.95, false, false).Label(image, TwoDetections());
  ASSERT_THAT(dropped, IsOk());
  EXPECT_FALSE(dropped->has_value());
}

TEST(SegmentationThresholdLabelerTest, ArgmaxWhereConfidentIgnoreElsewhere) {
  Prediction p;
  // Two classes, 1x3 pixels: confident 0, confident 1, unsure.
  p.class_probs = at::tensor({0.9f, 0.2f, 0.55f, 0.1f, 0.8f, 0.45f}).reshape({2, 1, 3});
  auto labeled = SegmentationThresholdLabeler(0.6, false).Label(Sample(), p);
  ASSERT_THAT(labeled, IsOk());
  const at::Tensor expected =
      at::tensor({uint8_t{0}, uint8_t{1}, kIgnoreLabel}, at::kByte).reshape({1, 3});
  EXPECT_TRUE(at::equal((*labeled)->mask, expected));
}

TEST(DetectionThresholdLabelerTest, SoftLabelsCarryTheKeptBoxesTeacherScores) {
  Sample image;
  auto hard = DetectionThresholdLabeler(0.4, true, false).Label(image, TwoDetections());
  ASSERT_THAT(hard, IsOk());
  EXPECT_FALSE((*hard)->label_scores.defined());
  auto soft = DetectionThresholdLabeler(0.5, true, true).Label(image, TwoDetections());
  ASSERT_THAT(soft, IsOk());
  EXPECT_TRUE(at::equal((*soft)->label_scores, at::tensor({0.9f})));
}

TEST(SegmentationThresholdLabelerTest, SoftLabelsAreTheProbabilitiesIn255thsBesideTheHardMask) {
  Prediction p;
  p.class_probs = at::tensor({0.9f, 0.2f, 0.55f, 0.1f, 0.8f, 0.45f}).reshape({2, 1, 3});
  auto labeled = SegmentationThresholdLabeler(0.6, true).Label(Sample(), p);
  ASSERT_THAT(labeled, IsOk());
  EXPECT_TRUE(at::equal((*labeled)->mask,
                        at::tensor({uint8_t{0}, uint8_t{1}, kIgnoreLabel}, at::kByte).reshape({1, 3})));
  // round(255 p): 229.5 -> 230, 51, 140.25 -> 140, 25.5 -> 26, 204, 114.75 -> 115.
  const at::Tensor expected =
      at::tensor(std::vector<uint8_t>{230, 51, 140, 26, 204, 115}).reshape({2, 1, 3});
  EXPECT_TRUE(at::equal((*labeled)->soft_mask, expected)) << (*labeled)->soft_mask;
  EXPECT_FALSE(SegmentationThresholdLabeler(0.6, false).Label(Sample(), p)->value().soft_mask.defined());
}

TEST(SegmentationThresholdLabelerTest, MissingProbabilitiesAreAnError) {
  EXPECT_FALSE(SegmentationThresholdLabeler(0.5, false).Label(Sample(), Prediction()).ok());
  EXPECT_FALSE(DetectionThresholdLabeler(0.5, true, false).Label(Sample(), Prediction()).ok());
}

}  // namespace
}  // namespace stlab::self_training
