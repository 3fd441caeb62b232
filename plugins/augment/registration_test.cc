// The augmentations built through the registry as the plugin registers them:
// declared parameters reach the options, and invalid combinations are clear errors.
#include "plugins/augment/registration.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "core/augmentation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::RectangleSample;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class AugmentRegistrationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(RegisterAugmentations(r_), IsOk()); }
  Registries r_;
};

TEST_F(AugmentRegistrationTest, EveryOpBuildsFromDefaultsAndApplies) {
  EXPECT_EQ(r_.augmentations().Names(),
            (std::vector<std::string>{"autoaugment", "color_jitter", "horizontal_flip",
                                      "randaugment", "random_scale_crop", "resize"}));
  for (const std::string& name : r_.augmentations().Names()) {
    auto op = r_.augmentations().Create(name, {});
    ASSERT_THAT(op, IsOk()) << name;
    Sample s = RectangleSample(30, 40, 5, 5, 20, 25);
    Rng rng(1);
    EXPECT_THAT((*op)->Apply(s, rng), IsOk()) << name;
  }
}

TEST_F(AugmentRegistrationTest, ParametersReachTheOps) {
  auto resize = r_.augmentations().Create(
      "resize",
      {{"size", int64_t{20}}, {"mode", std::string("shorter_side")}, {"max_size", int64_t{30}}});
  ASSERT_THAT(resize, IsOk());
  Sample s = RectangleSample(30, 40, 5, 5, 20, 25);
  Rng rng(1);
  ASSERT_THAT((*resize)->Apply(s, rng), IsOk());
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{20, 27, 3}));

  auto crop =
      r_.augmentations().Create("random_scale_crop", {{"size", int64_t{80}},
                                                      {"scale_min", 0.5},
                                                      {"scale_max", 0.5},
                                                      {"fill", std::vector<int64_t>{1, 2, 3}}});
  ASSERT_THAT(crop, IsOk());
  s = RectangleSample(30, 40, 5, 5, 20, 25);
  ASSERT_THAT((*crop)->Apply(s, rng), IsOk());
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{80, 80, 3}));
  EXPECT_TRUE(at::equal(s.image[79][79], at::tensor({1, 2, 3}).to(at::kByte)));
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({5.0f, 5.0f, 20.0f, 25.0f}).reshape({1, 4})));
}

TEST_F(AugmentRegistrationTest, ScaleMinAboveScaleMaxIsAClearError) {
  EXPECT_THAT(
      r_.augmentations().Create("random_scale_crop", {{"scale_min", 1.5}, {"scale_max", 1.2}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("augmentation 'random_scale_crop'"),
                     HasSubstr("scale_min (1.5) must be <= scale_max (1.2)"))));
}

TEST_F(AugmentRegistrationTest, DeclaredRangesAndChoicesAreChecked) {
  const auto& ops = r_.augmentations();
  EXPECT_THAT(ops.Create("random_scale_crop", {{"fill", std::vector<int64_t>{0, 0, 300}}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("fill")));
  EXPECT_THAT(ops.Create("random_scale_crop", {{"fill", std::vector<int64_t>{0, 0}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fill")));
  EXPECT_THAT(ops.Create("random_scale_crop", {{"placement", std::string("centre")}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("placement")));
  EXPECT_THAT(ops.Create("random_scale_crop", {{"scale_min", 0.0}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("scale_min")));
  EXPECT_THAT(ops.Create("resize", {{"size", int64_t{0}}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("size")));
  EXPECT_THAT(ops.Create("color_jitter", {{"hue", 0.6}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("hue")));
  EXPECT_THAT(ops.Create("color_jitter", {{"brightness", -1.0}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("brightness")));
}

TEST_F(AugmentRegistrationTest, MaxSizeWithLongerSideModeIsAClearError) {
  EXPECT_THAT(r_.augmentations().Create("resize", {{"max_size", int64_t{100}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("augmentation 'resize'"), HasSubstr("max_size"),
                             HasSubstr("shorter_side"))));
}

TEST_F(AugmentRegistrationTest, PolicyChoicesAndMagnitudeRangeAreChecked) {
  const auto& ops = r_.augmentations();
  EXPECT_THAT(ops.Create("autoaugment", {{"policy", std::string("v9")}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("v0, v1, v2, v3")));
  EXPECT_THAT(ops.Create("randaugment", {{"magnitude", 11.0}}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("magnitude")));
  for (const std::string& policy : {"v0", "v1", "v2", "v3"}) {
    EXPECT_THAT(ops.Create("autoaugment", {{"policy", policy}, {"pixel_scale", 0.2}}), IsOk());
  }
}

TEST_F(AugmentRegistrationTest, PixelScaleScalesTranslations) {
  // RandAugment with only TranslateX/Y at magnitude 10: 100 px * 0.1 = 10 px.
  auto ra = r_.augmentations().Create(
      "randaugment", {{"num_ops", int64_t{1}}, {"pixel_scale", 0.1}, {"magnitude", 10.0}});
  ASSERT_THAT(ra, IsOk());
  int64_t translated = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Sample s = RectangleSample(60, 80, 30, 20, 50, 40);
    Rng rng(seed);
    ASSERT_THAT((*ra)->Apply(s, rng), IsOk());
    const at::Tensor shift = s.boxes - at::tensor({30.0f, 20.0f, 50.0f, 40.0f}).reshape({1, 4});
    const float dx = shift[0][0].item<float>(), dy = shift[0][1].item<float>();
    const bool pure_translation = at::equal(shift.select(1, 0), shift.select(1, 2)) &&
                                  at::equal(shift.select(1, 1), shift.select(1, 3)) &&
                                  (dx == 0) != (dy == 0);
    if (!pure_translation) continue;
    ++translated;
    EXPECT_EQ(std::abs(dx + dy), 10.0f) << seed;
  }
  EXPECT_GT(translated, 5);
}

}  // namespace
}  // namespace stlab::augment
