#include "plugins/augment/color_jitter.h"

#include <set>
#include <vector>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::RectangleSample;
using ::stlab::augment::testing::SameSample;
using ::stlab::testing::IsOk;

// A 1 x n image of the given RGB pixels.
at::Tensor Pixels(std::vector<uint8_t> rgb) {
  const int64_t n = static_cast<int64_t>(rgb.size()) / 3;
  return at::tensor(std::vector<int64_t>(rgb.begin(), rgb.end())).to(at::kByte).reshape({1, n, 3});
}

at::Tensor Adjust(std::vector<uint8_t> rgb, ColorAdjustment adjustment, double factor) {
  return AdjustColors(Pixels(std::move(rgb)), {{adjustment, factor}});
}

TEST(ColorJitterTest, BrightnessMultipliesAndSaturates) {
  EXPECT_TRUE(
      at::equal(Adjust({100, 40, 200}, ColorAdjustment::kBrightness, 0.5), Pixels({50, 20, 100})));
  EXPECT_TRUE(
      at::equal(Adjust({100, 40, 200}, ColorAdjustment::kBrightness, 2.0), Pixels({200, 80, 255})));
}

TEST(ColorJitterTest, ContrastBlendsWithTheMeanGreyLevel) {
  // Grey levels 0 and 255: mean 127.5.
  EXPECT_TRUE(at::equal(Adjust({0, 0, 0, 255, 255, 255}, ColorAdjustment::kContrast, 0.0),
                        Pixels({128, 128, 128, 128, 128, 128})));
  EXPECT_TRUE(at::equal(Adjust({64, 64, 64, 192, 192, 192}, ColorAdjustment::kContrast, 2.0),
                        Pixels({0, 0, 0, 255, 255, 255})));
}

TEST(ColorJitterTest, SaturationBlendsWithEachPixelsGreyLevel) {
  // Grey of pure red: 0.299 * 255 = 76.2.
  EXPECT_TRUE(
      at::equal(Adjust({255, 0, 0}, ColorAdjustment::kSaturation, 0.0), Pixels({76, 76, 76})));
  EXPECT_TRUE(
      at::equal(Adjust({90, 90, 90}, ColorAdjustment::kSaturation, 3.0), Pixels({90, 90, 90})));
}

TEST(ColorJitterTest, HueRotatesTheColourWheel) {
  EXPECT_TRUE(at::equal(Adjust({255, 0, 0}, ColorAdjustment::kHue, 0.5), Pixels({0, 255, 255})));
  EXPECT_TRUE(at::equal(Adjust({255, 0, 0}, ColorAdjustment::kHue, 1.0 / 3), Pixels({0, 255, 0})));
  EXPECT_TRUE(at::equal(Adjust({255, 0, 0}, ColorAdjustment::kHue, -1.0 / 3), Pixels({0, 0, 255})));
  EXPECT_TRUE(at::equal(Adjust({50, 50, 50}, ColorAdjustment::kHue, 0.25), Pixels({50, 50, 50})));
}

TEST(ColorJitterTest, StepsApplyInTheGivenOrder) {
  const at::Tensor grey_first =
      AdjustColors(Pixels({200, 100, 0}),
                   {{ColorAdjustment::kSaturation, 0.0}, {ColorAdjustment::kBrightness, 2.0}});
  const at::Tensor bright_first =
      AdjustColors(Pixels({200, 100, 0}),
                   {{ColorAdjustment::kBrightness, 2.0}, {ColorAdjustment::kSaturation, 0.0}});
  EXPECT_FALSE(at::equal(grey_first, bright_first));
}

TEST(ColorJitterTest, DrawsEnabledAdjustmentsInRandomOrderWithinTheirRanges) {
  ColorJitterOptions o;
  o.brightness = 0.4;
  o.contrast = 1.5;
  o.saturation = 0.0;
  o.hue = 0.1;
  const ColorJitter jitter(o);
  std::set<std::vector<ColorAdjustment>> orders;
  Rng rng(2);
  for (int i = 0; i < 200; ++i) {
    const std::vector<ColorStep> steps = jitter.Draw(rng);
    ASSERT_EQ(steps.size(), 3u);
    std::vector<ColorAdjustment> order;
    for (const ColorStep& step : steps) {
      order.push_back(step.adjustment);
      switch (step.adjustment) {
        case ColorAdjustment::kBrightness:
          EXPECT_GE(step.factor, 0.6);
          EXPECT_LE(step.factor, 1.4);
          break;
        case ColorAdjustment::kContrast:
          EXPECT_GE(step.factor, 0.0);
          EXPECT_LE(step.factor, 2.5);
          break;
        case ColorAdjustment::kHue:
          EXPECT_GE(step.factor, -0.1);
          EXPECT_LE(step.factor, 0.1);
          break;
        case ColorAdjustment::kSaturation:
          ADD_FAILURE() << "saturation is disabled";
      }
    }
    orders.insert(order);
  }
  EXPECT_EQ(orders.size(), 6u);  // Every order of three.
}

TEST(ColorJitterTest, ChangesOnlyTheImageDeterministicallyPerSeed) {
  const ColorJitter jitter{ColorJitterOptions()};
  const Sample original = RectangleSample(12, 16, 2, 3, 9, 10);
  Sample a = RectangleSample(12, 16, 2, 3, 9, 10);
  a.image = at::randint(0, 256, {12, 16, 3}, at::kByte);
  Sample b = a;
  b.image = a.image.clone();
  const at::Tensor before = a.image.clone();
  Rng rng_a(4);
  Rng rng_b(4);
  ASSERT_THAT(jitter.Apply(a, rng_a), IsOk());
  ASSERT_THAT(jitter.Apply(b, rng_b), IsOk());
  EXPECT_TRUE(SameSample(a, b));
  EXPECT_FALSE(at::equal(a.image, before));
  EXPECT_TRUE(at::equal(a.boxes, original.boxes));
  EXPECT_TRUE(at::equal(a.mask, original.mask));
  Sample c = b;
  c.image = before.clone();
  Rng rng_c(5);
  ASSERT_THAT(jitter.Apply(c, rng_c), IsOk());
  EXPECT_FALSE(at::equal(c.image, a.image));
}

TEST(ColorJitterTest, ZeroStrengthsOrProbabilityLeaveTheImage) {
  ColorJitterOptions none;
  none.brightness = none.contrast = none.saturation = none.hue = 0.0;
  ColorJitterOptions never;
  never.probability = 0.0;
  for (const ColorJitterOptions& o : {none, never}) {
    Sample s = RectangleSample(12, 16, 2, 3, 9, 10);
    const at::Tensor before = s.image.clone();
    Rng rng(1);
    ASSERT_THAT(ColorJitter(o).Apply(s, rng), IsOk());
    EXPECT_TRUE(at::equal(s.image, before));
  }
}

TEST(ColorJitterTest, ValidateRejectsNegativeStrengthsAndLargeHue) {
  ColorJitterOptions o;
  EXPECT_THAT(Validate(o), IsOk());
  o.brightness = -0.1;
  EXPECT_FALSE(Validate(o).ok());
  o = ColorJitterOptions();
  o.hue = 0.6;
  EXPECT_FALSE(Validate(o).ok());
}

}  // namespace
}  // namespace stlab::augment
