#include "core/engine/pseudo_label_quality.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stlab {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

at::Tensor Boxes(std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size()) / 4;
  return at::tensor(values, at::kFloat).reshape({n, 4});
}

at::Tensor Labels(std::vector<int64_t> values) { return at::tensor(values, at::kLong); }

// Ground truth: one class-0 box and two class-1 boxes.
Sample Truth() {
  Sample truth;
  truth.boxes = Boxes({0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50});
  truth.labels = Labels({0, 1, 1});
  return truth;
}

// Teacher detections, by descending score: a hit on the class-0 box (0.9), a
// duplicate of it (0.8), the first class-1 box with the wrong class (0.6), and a hit
// on the second class-1 box (0.3).
Prediction Teacher() {
  Prediction prediction;
  prediction.detections.boxes = Boxes({0, 0, 10, 10, 0, 0, 10, 9, 20, 20, 30, 30, 40, 40, 50, 50});
  prediction.detections.scores = at::tensor(std::vector<float>{0.9f, 0.8f, 0.6f, 0.3f});
  prediction.detections.labels = Labels({0, 0, 0, 1});
  return prediction;
}

// What a 0.5 threshold keeps: the first three.
Sample Kept() {
  Sample kept;
  kept.boxes = Teacher().detections.boxes.narrow(0, 0, 3);
  kept.labels = Teacher().detections.labels.narrow(0, 0, 3);
  return kept;
}

TEST(PseudoLabelQualityTest, DetectionPrecisionAndRecallOfTheKeptBoxes) {
  PseudoLabelQuality quality(Task::kDetection, 2);
  ASSERT_TRUE(quality.HasGroundTruth(Truth()));
  const Sample kept = Kept();
  quality.Add(Truth(), Teacher(), &kept);
  EXPECT_THAT(quality.Headline(), UnorderedElementsAre(Pair("pseudo/precision", DoubleNear(1.0 / 3, 1e-12)),
                                                       Pair("pseudo/recall", DoubleNear(1.0 / 3, 1e-12))));
  // A dropped image still counts its objects as missed.
  Sample empty_truth = Truth();
  quality.Add(empty_truth, Prediction{}, nullptr);
  EXPECT_THAT(quality.Headline(), UnorderedElementsAre(Pair("pseudo/precision", DoubleNear(1.0 / 3, 1e-12)),
                                                       Pair("pseudo/recall", DoubleNear(1.0 / 6, 1e-12))));
  EXPECT_EQ(quality.images(), 2);
}

TEST(PseudoLabelQualityTest, DetectionCurveCountsEveryTeacherBoxAboveEachThreshold) {
  PseudoLabelQuality quality(Task::kDetection, 2);
  quality.Add(Truth(), Teacher(), nullptr);
  const std::string json = quality.Json({"square", "circle"});
  // 0.25: all four boxes, two hits of three objects; 0.85: only the 0.9 hit; 0.95: none.
  EXPECT_THAT(json, HasSubstr("{\"threshold\": 0.25, \"precision\": 0.5, \"recall\": 0.66666666666666663, "
                              "\"boxes_per_image\": 4}"));
  EXPECT_THAT(json, HasSubstr("{\"threshold\": 0.84999999999999998, \"precision\": 1, \"recall\": "
                              "0.33333333333333331, \"boxes_per_image\": 1}"));
  EXPECT_THAT(json, HasSubstr("{\"threshold\": 0.94999999999999996, \"precision\": null, \"recall\": 0, "
                              "\"boxes_per_image\": 0}]"));
  // Nothing kept: precision is undefined, recall 0.
  EXPECT_THAT(json, HasSubstr("\"kept_boxes\": 0, \"true_positives\": 0, \"precision\": null, \"recall\": 0"));
  EXPECT_THAT(json, HasSubstr("\"circle\": {\"ground_truth\": 2, \"kept\": 0"));
}

TEST(PseudoLabelQualityTest, UnmatchedBoxesInsideIgnoreRegionsCountNeitherWay) {
  PseudoLabelQuality quality(Task::kDetection, 2);
  Sample truth = Truth();
  truth.ignore_boxes = Boxes({0, 0, 12, 12});
  const Sample kept = Kept();
  quality.Add(truth, Teacher(), &kept);
  // The duplicate (inside the region) is ignored; the wrong-class box is not.
  EXPECT_THAT(quality.Headline(), UnorderedElementsAre(Pair("pseudo/precision", DoubleNear(0.5, 1e-12)),
                                                       Pair("pseudo/recall", DoubleNear(1.0 / 3, 1e-12))));
}

TEST(PseudoLabelQualityTest, DetectionNeedsBoxesAndLabels) {
  PseudoLabelQuality quality(Task::kDetection, 2);
  EXPECT_FALSE(quality.HasGroundTruth(Sample{}));
  Sample masked;
  masked.mask = at::zeros({2, 2}, at::kByte);
  EXPECT_FALSE(quality.HasGroundTruth(masked));
  EXPECT_TRUE(PseudoLabelQuality(Task::kSegmentation, 2).HasGroundTruth(masked));
}

// Truth [[0, 1], [1, ignore]]; kept [[0, none], [0, none]]; teacher's top
// probabilities 0.9 (class 0), 0.6 (class 1), 0.7 (class 0) at the three labeled pixels.
TEST(PseudoLabelQualityTest, SegmentationKeptPixelsCoverageAndCurve) {
  Sample truth;
  truth.mask = at::tensor(std::vector<uint8_t>{0, 1, 1, kIgnoreLabel}, at::kByte).reshape({2, 2});
  Sample kept;
  kept.mask = at::tensor(std::vector<uint8_t>{0, kIgnoreLabel, 0, kIgnoreLabel}, at::kByte).reshape({2, 2});
  Prediction teacher;
  teacher.class_probs =
      at::tensor(std::vector<float>{0.9f, 0.4f, 0.7f, 0.5f, 0.1f, 0.6f, 0.3f, 0.5f}).reshape({2, 2, 2});
  PseudoLabelQuality quality(Task::kSegmentation, 2);
  quality.Add(truth, teacher, &kept);
  EXPECT_THAT(quality.Headline(),
              UnorderedElementsAre(Pair("pseudo/pixel_accuracy", DoubleNear(0.5, 1e-12)),
                                   Pair("pseudo/kept_fraction", DoubleNear(2.0 / 3, 1e-12)),
                                   // Class 0: 1 / (1 + 2 - 1); class 1: 0 / 1.
                                   Pair("pseudo/miou", DoubleNear(0.25, 1e-12))));
  const std::string json = quality.Json({"background", "shape"});
  EXPECT_THAT(json, HasSubstr("\"background\": {\"pixels\": 1, \"coverage\": 1, \"iou\": 0.5}"));
  EXPECT_THAT(json, HasSubstr("\"shape\": {\"pixels\": 2, \"coverage\": 0.5, \"iou\": 0}"));
  // 0.5: all three pixels, two right; 0.65: the 0.9 and 0.7 pixels, one right.
  EXPECT_THAT(json, HasSubstr("{\"threshold\": 0.5, \"kept_fraction\": 1, \"pixel_accuracy\": "
                              "0.66666666666666663}"));
  EXPECT_THAT(json, HasSubstr("{\"threshold\": 0.65000000000000002, \"kept_fraction\": "
                              "0.66666666666666663, \"pixel_accuracy\": 0.5}"));
}

}  // namespace
}  // namespace stlab
