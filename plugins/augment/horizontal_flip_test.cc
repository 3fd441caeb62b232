#include "plugins/augment/horizontal_flip.h"

#include <vector>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::MaskBox;
using ::stlab::testing::IsOk;

// A 10x20 image with one filled rectangle of class 3 at x in [2, 7), y in [1, 4).
Sample RectangleSample() { return testing::RectangleSample(10, 20, 2, 1, 7, 4); }

TEST(HorizontalFlipTest, BoxesAndMaskMoveWithThePixels) {
  Sample s = RectangleSample();
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({13.0f, 1.0f, 18.0f, 4.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(MaskBox(s.mask, 3), s.boxes));
  EXPECT_TRUE(at::equal((s.image.select(2, 0) == 200), (s.mask == 3)));
  EXPECT_TRUE(s.image.is_contiguous());
}

TEST(HorizontalFlipTest, SoftMaskPlanesMoveWithTheMask) {
  Sample s = testing::WithSoftMask(RectangleSample());
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  EXPECT_TRUE(testing::SoftMaskFollowsMask(s));
  EXPECT_TRUE(s.soft_mask.is_contiguous());
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

TEST(HorizontalFlipTest, MirrorsIgnoreBoxesAndKeepsEmptyBoxes) {
  Sample s = RectangleSample();
  s.boxes = at::zeros({0, 4}, at::kFloat);
  s.labels = at::zeros({0}, at::kLong);
  s.ignore_boxes = at::tensor({0.0f, 0.0f, 5.0f, 2.0f}).reshape({1, 4});
  ASSERT_THAT(FlipHorizontally(s), IsOk());
  EXPECT_EQ(s.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_TRUE(at::equal(s.ignore_boxes, at::tensor({15.0f, 0.0f, 20.0f, 2.0f}).reshape({1, 4})));
}

TEST(HorizontalFlipTest, RejectsImagesThatAreNotHwc) {
  Sample s;
  s.source = "bad.png";
  s.image = at::zeros({4, 4}, at::kByte);
  EXPECT_FALSE(FlipHorizontally(s).ok());
}

}  // namespace
}  // namespace stlab::augment
