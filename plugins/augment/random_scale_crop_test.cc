#include "plugins/augment/random_scale_crop.h"

#include <algorithm>
#include <set>
#include <tuple>
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

RandomScaleCropOptions Options(int64_t size, double scale_min, double scale_max) {
  RandomScaleCropOptions o;
  o.size = size;
  o.scale_min = scale_min;
  o.scale_max = scale_max;
  return o;
}

at::Tensor Boxes(std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size()) / 4;
  return at::tensor(values).reshape({n, 4});
}

// 100 x 200 with three objects: (10, 10)-(40, 50) class 1, (120, 20)-(180, 90)
// class 2 (box only), (60, 60)-(90, 95) class 3 (box only).
Sample ThreeObjects() {
  Sample s = RectangleSample(100, 200, 10, 10, 40, 50, 1);
  s.boxes = Boxes({10, 10, 40, 50, 120, 20, 180, 90, 60, 60, 90, 95});
  s.labels = at::tensor({int64_t{1}, int64_t{2}, int64_t{3}});
  return s;
}

TEST(RandomScaleCropTest, CropShiftsClipsAndDropsBoxesExactly) {
  const RandomScaleCrop op(Options(100, 1.0, 1.0));
  Sample s = ThreeObjects();
  // Scale 1 (longer side 200 -> 200), crop columns [70, 170), all rows.
  op.ApplyPlan(s, {.scaled_height = 100, .scaled_width = 200, .offset_x = -70, .offset_y = 0});
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{100, 100, 3}));
  EXPECT_TRUE(at::equal(s.boxes, Boxes({50, 20, 100, 90, 0, 60, 20, 95})));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({int64_t{2}, int64_t{3}})));
  EXPECT_EQ(Values(s.mask), (std::set<int>{0}));  // Object 1 was cropped away.
}

TEST(RandomScaleCropTest, ScaledDownImageIsPaddedBottomRight) {
  RandomScaleCropOptions o = Options(100, 0.5, 0.5);
  o.fill = {7, 8, 9};
  const RandomScaleCrop op(o);
  Sample s = ThreeObjects();
  op.ApplyPlan(s, {.scaled_height = 25, .scaled_width = 50, .offset_x = 0, .offset_y = 0});
  EXPECT_TRUE(
      at::equal(s.boxes, Boxes({2.5, 2.5, 10, 12.5, 30, 5, 45, 22.5, 15, 15, 22.5, 23.75})));
  EXPECT_TRUE(at::equal(s.image.slice(0, 25).reshape({-1, 3}).select(1, 1),
                        at::full({75 * 100}, 8, at::kByte)));
  EXPECT_TRUE(at::equal(s.image.slice(1, 50).reshape({-1, 3}).select(1, 2),
                        at::full({100 * 50}, 9, at::kByte)));
  EXPECT_TRUE(at::equal(s.mask.slice(0, 25), at::full({75, 100}, kIgnoreLabel, at::kByte)));
  EXPECT_TRUE(at::equal(s.mask.slice(1, 50), at::full({100, 50}, kIgnoreLabel, at::kByte)));
  EXPECT_TRUE(at::allclose(MaskBox(s.mask, 1), s.boxes.slice(0, 0, 1), 0, 1.0));
}

TEST(RandomScaleCropTest, DrawnScaleAndOffsetsStayInTheirRanges) {
  const RandomScaleCrop top_left(Options(64, 0.1, 2.0));
  RandomScaleCropOptions o = Options(64, 0.1, 2.0);
  o.placement = Placement::kRandom;
  const RandomScaleCrop random(o);
  Rng rng(3);
  bool saw_crop = false;
  bool saw_pad = false;
  bool saw_random_pad = false;
  for (int i = 0; i < 500; ++i) {
    const ScaleCropPlan p = top_left.Draw(100, 200, rng);
    EXPECT_GE(p.scaled_width, std::llround(0.1 * 64));
    EXPECT_LE(p.scaled_width, std::llround(2.0 * 64));
    EXPECT_NEAR(p.scaled_height * 2, p.scaled_width, 1);
    for (auto [scaled, offset] :
         {std::tuple{p.scaled_width, p.offset_x}, std::tuple{p.scaled_height, p.offset_y}}) {
      if (scaled > 64) {
        saw_crop = true;
        EXPECT_LE(offset, 0);
        EXPECT_GE(offset, 64 - scaled);
      } else {
        saw_pad = true;
        EXPECT_EQ(offset, 0);
      }
    }
    const ScaleCropPlan q = random.Draw(100, 200, rng);
    if (q.scaled_width < 64) {
      EXPECT_GE(q.offset_x, 0);
      EXPECT_LE(q.offset_x, 64 - q.scaled_width);
      saw_random_pad |= q.offset_x > 0;
    }
  }
  EXPECT_TRUE(saw_crop);
  EXPECT_TRUE(saw_pad);
  EXPECT_TRUE(saw_random_pad);
}

TEST(RandomScaleCropTest, BoxesStillEncloseTheirObjectsUnderLargeScaleJittering) {
  RandomScaleCropOptions o = Options(64, 0.1, 2.0);
  o.placement = Placement::kRandom;
  const RandomScaleCrop op(o);
  int kept = 0;
  int dropped = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Sample s = RectangleSample(90, 120, 5, 5, 40, 35, 3);
    Rng rng(seed);
    ASSERT_THAT(op.Apply(s, rng), IsOk());
    ASSERT_EQ(s.image.sizes(), (std::vector<int64_t>{64, 64, 3}));
    ASSERT_EQ(s.boxes.size(0), s.labels.size(0));
    const at::Tensor mask_box = MaskBox(s.mask, 3);
    if (s.boxes.size(0) == 0) {
      ++dropped;
      EXPECT_FALSE(mask_box.defined()) << "seed " << seed;
      continue;
    }
    ++kept;
    if (!mask_box.defined()) {  // A sliver thinner than a pixel covers no pixel centre.
      const at::Tensor b = s.boxes[0];
      EXPECT_TRUE((b[2] - b[0]).item<float>() < 1 || (b[3] - b[1]).item<float>() < 1);
      continue;
    }
    EXPECT_TRUE(at::allclose(mask_box, s.boxes, 0, 1.0))
        << "seed " << seed << ": mask box " << mask_box << " vs " << s.boxes;
  }
  EXPECT_GT(kept, 50);
  EXPECT_GT(dropped, 10);
}

TEST(RandomScaleCropTest, MaskValuesStayOriginalOrIgnore) {
  const RandomScaleCrop op(Options(48, 0.1, 2.0));
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Sample s = RectangleSample(40, 60, 5, 5, 30, 30, 1);
    s.mask.slice(0, 20, 40).slice(1, 20, 60).fill_(2);
    Rng rng(seed);
    ASSERT_THAT(op.Apply(s, rng), IsOk());
    for (int v : Values(s.mask)) EXPECT_TRUE(v == 0 || v == 1 || v == 2 || v == 255) << v;
  }
}

TEST(RandomScaleCropTest, SameSeedSameResultOtherSeedsOtherCrops) {
  const RandomScaleCrop op(Options(64, 0.5, 2.0));
  Sample a = ThreeObjects();
  Sample b = ThreeObjects();
  Rng rng_a(11);
  Rng rng_b(11);
  ASSERT_THAT(op.Apply(a, rng_a), IsOk());
  ASSERT_THAT(op.Apply(b, rng_b), IsOk());
  EXPECT_TRUE(SameSample(a, b));
  int differing = 0;
  for (uint64_t seed = 12; seed < 20; ++seed) {
    Sample c = ThreeObjects();
    Rng rng(seed);
    ASSERT_THAT(op.Apply(c, rng), IsOk());
    differing += !SameSample(a, c);
  }
  EXPECT_EQ(differing, 8);
}

TEST(RandomScaleCropTest, SamplesWithoutBoxesOrMaskWork) {
  const RandomScaleCrop op(Options(32, 0.5, 1.5));
  Sample s = RectangleSample(40, 60, 5, 5, 30, 30, 1);
  s.boxes = at::zeros({0, 4}, at::kFloat);
  s.labels = at::zeros({0}, at::kLong);
  s.mask = at::Tensor();
  Rng rng(5);
  ASSERT_THAT(op.Apply(s, rng), IsOk());
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{32, 32, 3}));
  EXPECT_EQ(s.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(s.labels.sizes(), (std::vector<int64_t>{0}));
  EXPECT_FALSE(s.mask.defined());
}

TEST(RandomScaleCropTest, IgnoreBoxesMoveWithTheImage) {
  const RandomScaleCrop op(Options(100, 1.0, 1.0));
  Sample s = ThreeObjects();
  s.ignore_boxes = Boxes({0, 0, 80, 10, 0, 0, 20, 20});
  op.ApplyPlan(s, {.scaled_height = 100, .scaled_width = 200, .offset_x = -70, .offset_y = 0});
  EXPECT_TRUE(at::equal(s.ignore_boxes, Boxes({0, 0, 10, 10})));
}

TEST(RandomScaleCropTest, MinVisibleFractionDropsMostlyCroppedBoxes) {
  RandomScaleCropOptions o = Options(100, 1.0, 1.0);
  o.min_visible_fraction = 0.5;
  const RandomScaleCrop op(o);
  Sample s = ThreeObjects();
  // Columns [85, 185): object 1 cropped away, object 2 fully visible, object 3
  // (columns 60..90) keeps 5 of its 30 columns.
  op.ApplyPlan(s, {.scaled_height = 100, .scaled_width = 200, .offset_x = -85, .offset_y = 0});
  EXPECT_TRUE(at::equal(s.labels, at::tensor({int64_t{2}})));
}

TEST(RandomScaleCropTest, ValidateExplainsWhatIsWrong) {
  EXPECT_THAT(Validate(Options(64, 0.1, 2.0)), IsOk());
  EXPECT_THAT(Validate(Options(64, 1.5, 1.2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scale_min (1.5) must be <= scale_max (1.2)")));
  EXPECT_FALSE(Validate(Options(64, 0.0, 1.0)).ok());
  EXPECT_FALSE(Validate(Options(0, 0.5, 1.0)).ok());
}

}  // namespace
}  // namespace stlab::augment
