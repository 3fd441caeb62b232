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

// The one-pass accumulation against ATen's formulation (argmax, then a bincount of
// truth * C + prediction over the labelled pixels) on random probabilities with
// ties, ignored pixels and several images.
TEST(MeanIouEvaluatorTest, EqualsTheArgmaxAndBincountFormulation) {
  at::manual_seed(11);
  const int64_t c = 5;
  MeanIouEvaluator eval({"a", "b", "c", "d", "e"});
  at::Tensor expected = at::zeros({c * c}, at::kLong);
  for (int image = 0; image < 3; ++image) {
    Sample gt;
    gt.mask = at::randint(0, c, {17, 23}, at::kByte);
    gt.mask.index_put_({gt.mask == 3}, 255);  // Some pixels unlabelled.
    Prediction pred;
    // Quantized so that ties between classes are common.
    pred.class_probs = at::randint(0, 4, {c, 17, 23}).to(at::kFloat);
    ASSERT_THAT(eval.Add(gt, pred), IsOk());
    const at::Tensor truth = gt.mask.reshape({-1}).to(at::kLong);
    const at::Tensor valid = truth != 255;
    const at::Tensor predicted = pred.class_probs.argmax(0).reshape({-1});
    expected += at::bincount(truth.index({valid}) * c + predicted.index({valid}), {}, c * c);
  }
  const auto metrics = *eval.Compute();
  const at::Tensor confusion = expected.view({c, c}).to(at::kDouble);
  const at::Tensor tp = confusion.diagonal();
  const at::Tensor iou = tp / (confusion.sum(1) + confusion.sum(0) - tp);
  for (int64_t k = 0; k < c; ++k) {
    const std::string name = std::string("IoU/") + static_cast<char>('a' + k);
    if (std::isnan(iou[k].item<double>())) {
      EXPECT_TRUE(std::isnan(metrics.at(name))) << name;
    } else {
      EXPECT_DOUBLE_EQ(metrics.at(name), iou[k].item<double>()) << name;
    }
  }
  EXPECT_DOUBLE_EQ(metrics.at("pixel_accuracy"),
                   (tp.sum() / confusion.sum()).item<double>());
}

TEST(MeanIouEvaluatorTest, ABadImageAddsNothing) {
  MeanIouEvaluator eval({"bg", "fg"});
  Sample gt;
  gt.mask = at::tensor({0, 1, 9}, at::kByte).reshape({1, 3});
  Prediction pred;
  pred.class_probs = OneHot(at::tensor({0, 1, 1}).reshape({1, 3}), 2);
  EXPECT_FALSE(eval.Add(gt, pred).ok());
  EXPECT_TRUE(std::isnan(eval.Compute()->at("mIoU")));  // Its two good pixels were not counted.
}

}  // namespace
}  // namespace stlab::evaluation
