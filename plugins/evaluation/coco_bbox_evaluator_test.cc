#include "plugins/evaluation/coco_bbox_evaluator.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::evaluation {
namespace {

using ::stlab::testing::IsOk;

DatasetInfo TwoClasses() { return {{"cat", "dog"}, {17, 18}, true, false}; }

Sample Image(int64_t id) {
  Sample s;
  s.image_id = id;
  s.source = "img" + std::to_string(id);
  s.image = at::zeros({100, 100, 3}, at::kByte);
  s.boxes = at::tensor({10.f, 10.f, 50.f, 60.f, 60.f, 20.f, 90.f, 90.f}).reshape({2, 4});
  s.labels = at::tensor({int64_t{0}, int64_t{1}});
  return s;
}

Prediction Detect(const Sample& s, at::Tensor labels) {
  Prediction p;
  p.detections.boxes = s.boxes.clone();
  p.detections.scores = at::tensor({0.9f, 0.8f});
  p.detections.labels = std::move(labels);
  return p;
}

TEST(CocoBboxEvaluatorTest, PerfectDetectionsScoreOne) {
  CocoBboxEvaluator eval(TwoClasses());
  for (int64_t id : {3, 9}) {
    Sample s = Image(id);
    ASSERT_THAT(eval.Add(s, Detect(s, s.labels)), IsOk());
  }
  auto metrics = eval.Compute();
  ASSERT_THAT(metrics, IsOk());
  EXPECT_DOUBLE_EQ(metrics->at("AP"), 1.0);
  EXPECT_DOUBLE_EQ(metrics->at("AR100"), 1.0);
  EXPECT_EQ(metrics->size(), 12u);
  EXPECT_EQ(eval.ground_truth().annotations[0].category_id, 17);
}

TEST(CocoBboxEvaluatorTest, SwappedClassesScoreZero) {
  CocoBboxEvaluator eval(TwoClasses());
  Sample s = Image(1);
  ASSERT_THAT(eval.Add(s, Detect(s, at::tensor({int64_t{1}, int64_t{0}}))), IsOk());
  EXPECT_DOUBLE_EQ(eval.Compute()->at("AP"), 0.0);
}

TEST(CocoBboxEvaluatorTest, DetectionsInCrowdRegionsAreIgnored) {
  CocoBboxEvaluator eval(TwoClasses());
  Sample s = Image(1);
  s.boxes = s.boxes.slice(0, 0, 1);
  s.labels = s.labels.slice(0, 0, 1);
  s.ignore_boxes = at::tensor({55.f, 15.f, 95.f, 95.f}).reshape({1, 4});
  // The dog detection falls in the crowd region: not a false positive.
  ASSERT_THAT(eval.Add(s, Detect(Image(1), at::tensor({int64_t{0}, int64_t{1}}))), IsOk());
  EXPECT_DOUBLE_EQ(eval.Compute()->at("AP50"), 1.0);
}

TEST(CocoBboxEvaluatorTest, BadInputsNameTheImage) {
  CocoBboxEvaluator eval(TwoClasses());
  Sample s = Image(1);
  absl::Status bad_label = eval.Add(s, Detect(s, at::tensor({int64_t{0}, int64_t{5}})));
  EXPECT_NE(bad_label.message().find("img1: class index 5"), std::string::npos) << bad_label;
  Sample t = Image(2);
  ASSERT_THAT(eval.Add(t, Detect(t, t.labels)), IsOk());
  EXPECT_NE(eval.Add(t, Detect(t, t.labels)).message().find("added twice"), std::string::npos);
}

}  // namespace
}  // namespace stlab::evaluation
