#include "plugins/pretrain/methods.h"

#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/pretrain/nt_xent_loss.h"
#include "torch/utils.h"

namespace stlab::pretrain {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Key;

// A stand-in backbone: the images' channels, pooled.
const Embed kPool = [](const at::Tensor& images) { return images.mean({2, 3}); };

TEST(SupervisedClassificationTest, LossIsTheCrossEntropyOfItsLogitsAndLogsAccuracy) {
  torch::manual_seed(0);
  SupervisedClassification method(PretrainContext{8, 3});
  EXPECT_THAT(method.NumViews(), Eq(1));
  EXPECT_TRUE(method.UsesImageLabels());
  EXPECT_TRUE(method.ClassifiesImages());
  const at::Tensor images = at::randn({5, 8, 4, 4});
  const at::Tensor labels = at::tensor({0, 1, 2, 1, 0}, at::kLong);
  const PretrainLoss loss = method.Loss(kPool, {images}, labels);
  ASSERT_THAT(loss.terms, ElementsAre(Key("cross_entropy")));
  const at::Tensor logits = method.ClassLogits(kPool, images);
  EXPECT_THAT(logits.sizes(), ElementsAre(5, 3));
  EXPECT_TRUE(at::allclose(loss.terms.at("cross_entropy"), at::cross_entropy_loss(logits, labels)));
  EXPECT_THAT(loss.values.at("accuracy"),
              Eq(logits.argmax(1).eq(labels).to(at::kDouble).mean().item<double>()));
}

TEST(SupervisedClassificationTest, DataWithoutTwoClassesIsRefused) {
  EXPECT_THROW(SupervisedClassification(PretrainContext{8, 1}), c10::Error);
}

TEST(SimclrTest, LossIsNtXentOverBothViewsAndReachesTheBackbone) {
  torch::manual_seed(0);
  Simclr method(PretrainContext{8, 0}, 0.5, 4, 16);
  EXPECT_THAT(method.NumViews(), Eq(2));
  EXPECT_FALSE(method.UsesImageLabels());
  EXPECT_FALSE(method.ClassifiesImages());
  const at::Tensor a = at::randn({3, 8, 4, 4}).requires_grad_();
  const at::Tensor b = at::randn({3, 8, 4, 4});
  const PretrainLoss loss = method.Loss(kPool, {a, b}, at::Tensor());
  ASSERT_THAT(loss.terms, ElementsAre(Key("nt_xent")));
  // The projection's output size and the temperature are the configured ones.
  int64_t outputs = 0;
  for (const auto& item : method.named_parameters()) {
    if (item.key() == "projection.2.bias") outputs = item.value().size(0);
  }
  EXPECT_THAT(outputs, Eq(4));
  loss.terms.at("nt_xent").backward();
  ASSERT_TRUE(a.grad().defined());
  EXPECT_GT(a.grad().abs().sum().item<double>(), 0.0);
}

TEST(StackViewsTest, PadsTheSmallerViewAtTheBottomAndRight) {
  const at::Tensor a = at::ones({1, 3, 4, 6});
  const at::Tensor b = at::ones({1, 3, 5, 2});
  const at::Tensor stacked = StackViews(a, b);
  EXPECT_THAT(stacked.sizes(), ElementsAre(2, 3, 5, 6));
  EXPECT_THAT(stacked[0].sum().item<double>(), Eq(3 * 4 * 6));
  EXPECT_THAT(stacked[1].sum().item<double>(), Eq(3 * 5 * 2));
}

}  // namespace
}  // namespace stlab::pretrain
