#include "plugins/augment/resize.h"

#include <array>
#include <set>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::MaskBox;
using ::stlab::augment::testing::RectangleSample;
using ::stlab::augment::testing::SameSample;
using ::stlab::augment::testing::Values;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

using Shape = std::array<int64_t, 2>;

ResizeOptions Options(int64_t size, ResizeMode mode = ResizeMode::kLongerSide,
                      int64_t max_size = 0) {
  ResizeOptions o;
  o.size = size;
  o.mode = mode;
  o.max_size = max_size;
  return o;
}

TEST(ResizeTest, LongerSideModeScalesTheLongerSideToSize) {
  EXPECT_EQ(ResizedShape(100, 200, Options(50)), (Shape{25, 50}));
  EXPECT_EQ(ResizedShape(300, 100, Options(64)), (Shape{64, 21}));
  EXPECT_EQ(ResizedShape(1, 1000, Options(10)), (Shape{1, 10}));  // Never below 1 pixel.
}

TEST(ResizeTest, ShorterSideModeScalesTheShorterSideAndCapsTheLonger) {
  EXPECT_EQ(ResizedShape(100, 200, Options(50, ResizeMode::kShorterSide)), (Shape{50, 100}));
  EXPECT_EQ(ResizedShape(100, 200, Options(50, ResizeMode::kShorterSide, 80)), (Shape{40, 80}));
  EXPECT_EQ(ResizedShape(480, 640, Options(800, ResizeMode::kShorterSide, 1333)),
            (Shape{800, 1067}));
}

TEST(ResizeTest, BoxesScaleExactly) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  Rng rng(0);
  ASSERT_THAT(Resize(Options(40)).Apply(s, rng), IsOk());
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{20, 40, 3}));
  EXPECT_EQ(s.mask.sizes(), (std::vector<int64_t>{20, 40}));
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({4.0f, 2.0f, 14.0f, 8.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(MaskBox(s.mask, 3), s.boxes));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({int64_t{3}})));
}

TEST(ResizeTest, BoxStillEnclosesItsObjectAtAnOddScale) {
  for (int64_t size : {17, 29, 64, 101}) {
    Sample s = RectangleSample(37, 53, 9, 5, 30, 26);
    Rng rng(0);
    ASSERT_THAT(Resize(Options(size)).Apply(s, rng), IsOk());
    ASSERT_EQ(s.boxes.size(0), 1);
    EXPECT_TRUE(at::allclose(MaskBox(s.mask, 3), s.boxes, /*rtol=*/0, /*atol=*/1.0))
        << "size " << size << ": mask box " << MaskBox(s.mask, 3) << " vs " << s.boxes;
    EXPECT_EQ(Values(s.mask), (std::set<int>{0, 3}));
    // The image's rectangle, bilinearly resampled, is where the mask says: pixels
    // fully inside are in the mask, pixels fully outside are not.
    const at::Tensor red = s.image.select(2, 0);
    const at::Tensor object = s.mask == 3;
    EXPECT_TRUE(at::equal(object.logical_or(red == 200), object)) << "size " << size;
    EXPECT_TRUE(at::equal(object.logical_and(red == 0), at::zeros_like(object))) << "size " << size;
  }
}

TEST(ResizeTest, SamplesWithoutBoxesOrMaskWork) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  s.boxes = at::zeros({0, 4}, at::kFloat);
  s.labels = at::Tensor();
  s.mask = at::Tensor();
  Rng rng(0);
  ASSERT_THAT(Resize(Options(10)).Apply(s, rng), IsOk());
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{5, 10, 3}));
  EXPECT_EQ(s.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_FALSE(s.mask.defined());
}

TEST(ResizeTest, ImageAlreadyAtSizeIsUnchanged) {
  Sample s = RectangleSample(10, 20, 2, 1, 7, 4);
  const Sample original = RectangleSample(10, 20, 2, 1, 7, 4);
  Rng rng(0);
  ASSERT_THAT(Resize(Options(20)).Apply(s, rng), IsOk());
  EXPECT_TRUE(SameSample(s, original));
}

TEST(ResizeTest, MaxSizeOnlyWithShorterSideMode) {
  EXPECT_THAT(Validate(Options(50, ResizeMode::kShorterSide, 80)), IsOk());
  EXPECT_THAT(Validate(Options(50, ResizeMode::kLongerSide, 80)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_size")));
  EXPECT_FALSE(Validate(Options(0)).ok());
}

}  // namespace
}  // namespace stlab::augment
