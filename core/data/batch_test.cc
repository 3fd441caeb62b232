#include "core/data/batch.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;

Sample Image(int64_t h, int64_t w, uint8_t value, bool mask) {
  Sample s;
  s.source = "img";
  s.image = at::full({h, w, 3}, value, at::kByte);
  if (mask) s.mask = at::full({h, w}, 1, at::kByte);
  s.boxes = at::tensor({1.f, 1.f, 3.f, 3.f}).reshape({1, 4});
  return s;
}

TEST(CollateTest, PadsToTheDivisorAndNormalizes) {
  std::vector<Sample> samples = {Image(10, 20, 255, true), Image(33, 8, 0, true)};
  Normalization norm{{100.f, 100.f, 100.f}, {5.f, 5.f, 5.f}};
  auto batch = Collate(std::move(samples), 32, norm);
  ASSERT_THAT(batch, IsOk());
  EXPECT_EQ(batch->images.sizes(), (std::vector<int64_t>{2, 3, 64, 32}));
  EXPECT_FLOAT_EQ(batch->images[0][0][0][0].item<float>(), (255.f - 100.f) / 5.f);
  EXPECT_FLOAT_EQ(batch->images[0][0][10][0].item<float>(), 0.f);  // Padding.
  EXPECT_FLOAT_EQ(batch->images[1][2][32][7].item<float>(), -20.f);
  EXPECT_EQ(batch->masks[0][9][19].item<uint8_t>(), 1);
  EXPECT_EQ(batch->masks[0][10][0].item<uint8_t>(), kIgnoreLabel);
  EXPECT_EQ(batch->image_sizes[1], (std::array<int64_t, 2>{33, 8}));
  EXPECT_TRUE(at::equal(batch->samples[0].boxes, at::tensor({1.f, 1.f, 3.f, 3.f}).reshape({1, 4})));
  EXPECT_FALSE(batch->samples[0].image.defined());
}

TEST(CollateTest, InconsistentInputsAreErrors) {
  EXPECT_FALSE(Collate({}, 32).ok());
  EXPECT_FALSE(Collate({Image(4, 4, 0, true), Image(4, 4, 0, false)}, 32).ok());
  Sample bad = Image(4, 4, 0, true);
  bad.mask = at::zeros({3, 4}, at::kByte);
  EXPECT_FALSE(Collate({bad}, 32).ok());
  EXPECT_FALSE(Collate({Image(4, 4, 0, false)}, 0).ok());
}

TEST(CollateTest, SoftMasksAreDequantizedNormalizedAndZeroPadded) {
  Sample a = Image(2, 3, 0, true);
  a.soft_mask = at::zeros({2, 2, 3}, at::kByte);
  a.soft_mask[0].fill_(191);  // 191 / 255 and 64 / 255 sum to 1.
  a.soft_mask[1].fill_(64);
  a.soft_mask[0][1][2] = 100;  // Quantization left this pixel at 164 / 255 in all.
  Sample b = Image(4, 4, 0, true);
  b.soft_mask = at::zeros({2, 4, 4}, at::kByte);
  b.soft_mask[1].fill_(255);
  auto batch = Collate({a, b}, 4);
  ASSERT_THAT(batch, IsOk());
  ASSERT_EQ(batch->soft_masks.sizes(), (std::vector<int64_t>{2, 2, 4, 4}));
  EXPECT_FLOAT_EQ(batch->soft_masks[0][0][0][0].item<float>(), 191.f / 255.f);
  EXPECT_FLOAT_EQ(batch->soft_masks[0][0][1][2].item<float>(), 100.f / 164.f);
  EXPECT_FLOAT_EQ(batch->soft_masks[0][1][1][2].item<float>(), 64.f / 164.f);
  EXPECT_FLOAT_EQ(batch->soft_masks[0][0][3][3].item<float>(), 0.f);  // Padding.
  EXPECT_FLOAT_EQ(batch->soft_masks[1][1][3][3].item<float>(), 1.f);
  EXPECT_FALSE(batch->samples[0].soft_mask.defined());
}

TEST(CollateTest, SoftMasksMustBeInEverySampleWithOneClassCount) {
  Sample a = Image(4, 4, 0, true);
  a.soft_mask = at::zeros({2, 4, 4}, at::kByte);
  Sample b = Image(4, 4, 0, true);
  EXPECT_FALSE(Collate({a, b}, 4).ok());
  b.soft_mask = at::zeros({3, 4, 4}, at::kByte);
  EXPECT_FALSE(Collate({a, b}, 4).ok());
  b.soft_mask = at::zeros({2, 4, 3}, at::kByte);
  EXPECT_FALSE(Collate({a, b}, 4).ok());
}

}  // namespace
}  // namespace stlab
