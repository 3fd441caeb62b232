#include "plugins/augment/horizontal_flip.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::testing::IsOk;

// A 10x20 image with one filled rectangle of class 3 at x in [2, 7), y in [1, 4).
Sample RectangleSample() {
  Sample s;
  s.source = "rectangle";
  s.image = at::zeros({10, 20, 3}, at::kByte);
  s.mask = at::zeros({10, 20}, at::kByte);
  s.image.slice(0, 1, 4).slice(1, 2, 7).fill_(200);
  s.mask.slice(0, 1, 4).slice(1, 2, 7).fill_(3);
  s.boxes = at::tensor({2.0f, 1.0f, 7.0f, 4.0f}).reshape({1, 4});
  s.labels = at::tensor({int64_t{3}});
  return s;
}

// The tight box around mask pixels of class `label`.
at::Tensor MaskBox(const at::Tensor& mask, int label) {
  at::Tensor yx = (mask == label).nonzero();
  at::Tensor y = yx.select(1, 0).to(at::kFloat);
  at::Tensor x = yx.select(1, 1).to(at::kFloat);
  return at::stack({x.min(), y.min(), x.max() + 1, y.max() + 1}).reshape({1, 4});
}

TEST(HorizontalFlipTest, BoxesAndMaskMoveWithThePixels) {
  Sample s = RectangleSample();
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({13.0f, 1.0f, 18.0f, 4.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(MaskBox(s.mask, 3), s.boxes));
  EXPECT_TRUE(at::equal((s.image.select(2, 0) == 200), (s.mask == 3)));
  EXPECT_TRUE(s.image.is_contiguous());
}

TEST(HorizontalFlipTest, FlippingTwiceRestoresTheSample) {
  Sample original = RectangleSample();
  Sample s = RectangleSample();
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  EXPECT_TRUE(at::equal(s.image, original.image));
  EXPECT_TRUE(at::equal(s.boxes, original.boxes));
  EXPECT_TRUE(at::equal(s.mask, original.mask));
}

TEST(HorizontalFlipTest, ProbabilityIsFollowedAndDrawnFromTheRng) {
  const HorizontalFlip never(0.0);
  const HorizontalFlip always(1.0);
  const HorizontalFlip half(0.5);
  Rng rng(1);
  Sample s = RectangleSample();
  ASSERT_THAT(never.Apply(s, rng), IsOk());
  EXPECT_EQ(s.boxes[0][0].item<float>(), 2.0f);
  ASSERT_THAT(always.Apply(s, rng), IsOk());
  EXPECT_EQ(s.boxes[0][0].item<float>(), 13.0f);
  int flips = 0;
  for (int i = 0; i < 2000; ++i) {
    Sample t = RectangleSample();
    ASSERT_THAT(half.Apply(t, rng), IsOk());
    flips += t.boxes[0][0].item<float>() == 13.0f;
  }
  EXPECT_NEAR(flips, 1000, 100);
}

TEST(HorizontalFlipTest, RejectsImagesThatAreNotHwc) {
  Sample s;
  s.source = "bad.png";
  s.image = at::zeros({4, 4}, at::kByte);
  EXPECT_FALSE(FlipHorizontally(s).ok());
}

}  // namespace
}  // namespace stlab::augment
