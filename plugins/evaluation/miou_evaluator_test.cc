#include "plugins/evaluation/miou_evaluator.h"

#include <cmath>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::evaluation {
namespace {

using ::stlab::testing::IsOk;

// One-hot probabilities [C, H, W] from a label map.
at::Tensor OneHot(const at::Tensor& labels, int64_t c) {
  return at::one_hot(labels.to(at::kLong), c).permute({2, 0, 1}).to(at::kFloat);
}

TEST(MeanIouEvaluatorTest, MatchesHandComputedConfusion) {
  MeanIouEvaluator eval({"bg", "cat", "dog"});
  Sample gt;
  gt.mask = at::tensor({0, 0, 1, 1, 255, 2}, at::kByte).reshape({2, 3});
  Prediction pred;
  pred.class_probs = OneHot(at::tensor({0, 1, 1, 0, 2, 2}).reshape({2, 3}), 3);
  ASSERT_THAT(eval.Add(gt, pred), IsOk());
  auto metrics = eval.Compute();
  ASSERT_THAT(metrics, IsOk());
  // bg: TP 1, FP 1, FN 1 -> 1/3; cat: TP 1, FP 1, FN 1 -> 1/3; dog: TP 1 -> 1.
  EXPECT_DOUBLE_EQ(metrics->at("IoU/bg"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(metrics->at("IoU/cat"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(metrics->at("IoU/dog"), 1.0);
  EXPECT_DOUBLE_EQ(metrics->at("mIoU"), (1.0 / 3 + 1.0 / 3 + 1.0) / 3);
  EXPECT_DOUBLE_EQ(metrics->at("pixel_accuracy"), 3.0 / 5);
}

TEST(MeanIouEvaluatorTest, AbsentClassIsNanAndExcludedFromMean) {
  MeanIouEvaluator eval({"bg", "fg", "never"});
  Sample gt;
  gt.mask = at::tensor({0, 1}, at::kByte).reshape({1, 2});
  Prediction pred;
  pred.class_probs = OneHot(at::tensor({0, 1}).reshape({1, 2}), 3);
  ASSERT_THAT(eval.Add(gt, pred), IsOk());
  auto metrics = *eval.Compute();
  EXPECT_TRUE(std::isnan(metrics.at("IoU/never")));
  EXPECT_DOUBLE_EQ(metrics.at("mIoU"), 1.0);
}

TEST(MeanIouEvaluatorTest, BadInputsAreErrors) {
  MeanIouEvaluator eval({"bg", "fg"});
  Sample gt;
  gt.source = "img7.png";
  gt.mask = at::tensor({0, 7}, at::kByte).reshape({1, 2});
  Prediction pred;
  pred.class_probs = OneHot(at::tensor({0, 1}).reshape({1, 2}), 2);
  absl::Status s = eval.Add(gt, pred);
  EXPECT_NE(s.message().find("img7.png: mask holds class 7"), std::string::npos) << s;
  pred.class_probs = at::zeros({3, 1, 2});
  EXPECT_FALSE(eval.Add(gt, pred).ok());
}

}  // namespace
}  // namespace stlab::evaluation
