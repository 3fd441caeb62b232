#include "plugins/detection/anchors.h"

#include <vector>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::detection {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

// RetinaNet's P3..P7.
FeatureSpecs RetinaNetLevels() {
  return {{"p3", 256, 8}, {"p4", 256, 16}, {"p5", 256, 32}, {"p6", 256, 64}, {"p7", 256, 128}};
}

at::Tensor Rows(std::vector<float> values) { return at::tensor(values).reshape({-1, 4}); }

TEST(AnchorsTest, CellAnchorsMatchTorchvision) {
  absl::StatusOr<AnchorGenerator> gen = AnchorGenerator::Create({});
  ASSERT_THAT(gen, IsOk());
  EXPECT_EQ(gen->num_anchors_per_location(), 9);
  EXPECT_EQ(gen->num_levels(), 5);
  // Level 0: sizes int(32 * 2^(k/3)) = 32, 40, 50. Ratio 0.5: w = s * 1.41421,
  // h = s * 0.70711, so half sides (22.63, 11.31) -> (23, 11), (28.28, 14.14) -> (28, 14),
  // (35.36, 17.68) -> (35, 18). Ratio 1: 16, 20, 25. Ratio 2 swaps ratio 0.5's sides.
  EXPECT_TRUE(at::equal(gen->cell_anchors(0),
                        Rows({-23, -11, 23, 11, -28, -14, 28, 14, -35, -18, 35, 18,  //
                              -16, -16, 16, 16, -20, -20, 20, 20, -25, -25, 25, 25,  //
                              -11, -23, 11, 23, -14, -28, 14, 28, -18, -35, 18, 35})))
      << gen->cell_anchors(0);
  // Level 1: sizes 64, 80, int(100.8) = 101; the square of side 101 has half side 50.5,
  // which rounds to even, 50.
  EXPECT_TRUE(at::equal(gen->cell_anchors(1)[5], at::tensor({-50.0f, -50.0f, 50.0f, 50.0f})))
      << gen->cell_anchors(1);
}

TEST(AnchorsTest, GridSizesRoundUp) {
  const std::vector<GridSize> sizes = GridSizesForImage(RetinaNetLevels(), 100, 60);
  ASSERT_EQ(sizes.size(), 5u);
  EXPECT_EQ(sizes[0].height, 13);  // ceil(100 / 8)
  EXPECT_EQ(sizes[0].width, 8);    // ceil(60 / 8)
  EXPECT_EQ(sizes[4].height, 1);
  EXPECT_EQ(sizes[4].width, 1);
}

TEST(AnchorsTest, CountsAndPositionsForASmallImage) {
  absl::StatusOr<AnchorGenerator> gen = AnchorGenerator::Create({});
  ASSERT_THAT(gen, IsOk());
  // 64x64 input: grids 8x8, 4x4, 2x2, 1x1, 1x1, 9 anchors per cell.
  absl::StatusOr<Anchors> anchors =
      gen->Generate(RetinaNetLevels(), GridSizesForImage(RetinaNetLevels(), 64, 64));
  ASSERT_THAT(anchors, IsOk());
  EXPECT_EQ(anchors->num_per_level, (std::vector<int64_t>{576, 144, 36, 9, 9}));
  ASSERT_EQ(anchors->boxes.sizes(), (at::IntArrayRef{774, 4}));
  EXPECT_EQ(anchors->boxes.scalar_type(), at::kFloat);
  const at::Tensor& b = anchors->boxes;
  // Level 0, cell (y 1, x 2), anchor 3 (ratio 1, size 32): centre (16, 8).
  EXPECT_TRUE(at::equal(b[(1 * 8 + 2) * 9 + 3], at::tensor({0.0f, -8.0f, 32.0f, 24.0f})));
  // The last anchor of level 0: cell (7, 7), anchor 8 (ratio 2, size 50), centre (56, 56).
  EXPECT_TRUE(at::equal(b[575], at::tensor({38.0f, 21.0f, 74.0f, 91.0f})));
  // Level 1 starts at 576; cell (0, 1), anchor 0 (ratio 0.5, size 64): half sides
  // (45.25, 22.63) -> (45, 23), centre (16, 0).
  EXPECT_TRUE(at::equal(b[576 + 9], at::tensor({-29.0f, -23.0f, 61.0f, 23.0f})));
  // Level 4 (stride 128), the only cell at (0, 0): anchor 4 is the square of side 645.
  EXPECT_TRUE(at::equal(b[765 + 4], at::tensor({-322.0f, -322.0f, 322.0f, 322.0f})));
}

TEST(AnchorsTest, CustomOptionsGiveOneAnchorPerCell) {
  absl::StatusOr<AnchorGenerator> gen =
      AnchorGenerator::Create({.base_sizes = {16}, .octave_scales = {1.0}, .aspect_ratios = {1.0}});
  ASSERT_THAT(gen, IsOk());
  absl::StatusOr<Anchors> anchors = gen->Generate({{"c4", 64, 16}}, {{2, 3}});
  ASSERT_THAT(anchors, IsOk());
  // Row-major over (y, x): centres (0,0) (16,0) (32,0) (0,16) (16,16) (32,16).
  EXPECT_TRUE(at::equal(anchors->boxes, Rows({-8, -8, 8, 8,  8, -8, 24, 8,  24, -8, 40, 8,
                                              -8, 8,  8, 24, 8, 8,  24, 24, 24, 8,  40, 24})))
      << anchors->boxes;
}

TEST(AnchorsTest, RejectsBadOptions) {
  EXPECT_THAT(AnchorGenerator::Create({.base_sizes = {}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base_sizes")));
  EXPECT_THAT(AnchorGenerator::Create({.aspect_ratios = {1.0, -2.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("aspect_ratios")));
  EXPECT_THAT(AnchorGenerator::Create({.base_sizes = {0.5}, .octave_scales = {1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("under one pixel")));
}

TEST(AnchorsTest, RejectsMismatchedLevels) {
  absl::StatusOr<AnchorGenerator> gen = AnchorGenerator::Create({});
  ASSERT_THAT(gen, IsOk());
  const FeatureSpecs three = {{"p3", 256, 8}, {"p4", 256, 16}, {"p5", 256, 32}};
  EXPECT_THAT(gen->Generate(three, GridSizesForImage(three, 64, 64)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must match")));
  EXPECT_THAT(gen->Generate(RetinaNetLevels(), {{8, 8}, {4, 4}, {2, 2}, {1, 1}, {0, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("p7")));
}

}  // namespace
}  // namespace stlab::detection
