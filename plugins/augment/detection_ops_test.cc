// The detection ops one by one: what each may change, mask and boxes moving
// together under the geometric ones, and the level-to-argument maps.
#include "plugins/augment/detection_ops.h"

#include <cmath>
#include <numbers>
#include <set>
#include <string>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/augment/test_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::augment {
namespace {

using ::stlab::augment::testing::MaskBox;
using ::stlab::augment::testing::RectangleSample;
using ::stlab::augment::testing::SoftMaskFollowsMask;
using ::stlab::augment::testing::Values;
using ::stlab::augment::testing::WithSoftMask;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

// A 100 x 120 sample: a rectangle x in [40, 70), y in [30, 60) (label 3) on a
// textured background, so that every op visibly changes something.
Sample TexturedSample() {
  Sample s = RectangleSample(100, 120, 40, 30, 70, 60);
  const at::Tensor xs = at::arange(120).reshape({1, 120, 1});
  const at::Tensor ys = at::arange(100).reshape({100, 1, 1});
  const at::Tensor rgb = at::arange(3).reshape({1, 1, 3});
  s.image = ((xs * 7 + ys * 13 + rgb * 50) % 180 + 20).to(at::kByte).contiguous();
  s.image.slice(0, 30, 60).slice(1, 40, 70) += 30;
  return s;
}

// Calls with the op's argument at `level` and the given sign; per-box ops change
// every box.
OpCall CallAt(Op op, double level, double sign, const PixelConstants& constants) {
  return {op, sign * OpArgument(op, level, constants), 1.0};
}

// The pixel constants for the 100 x 120 test image (translate 25 px at level 10).
PixelConstants Small() { return PixelConstants().Scaled(0.1); }

bool SameGeometry(const Sample& a, const Sample& b) {
  return at::equal(a.boxes, b.boxes) && at::equal(a.labels, b.labels) &&
         at::equal(a.mask, b.mask);
}

TEST(DetectionOpsTest, NamesRoundTripAndUnknownNamesListTheKnownOnes) {
  for (Op op : AllOps()) {
    auto parsed = OpFromName(OpName(op));
    ASSERT_THAT(parsed, IsOk()) << OpName(op);
    EXPECT_EQ(*parsed, op);
  }
  EXPECT_THAT(OpFromName("Rotate"), StatusIs(absl::StatusCode::kNotFound,
                                             HasSubstr("Rotate_BBox, ShearX_BBox")));
}

TEST(DetectionOpsTest, LevelsMapToTheReferenceArguments) {
  const PixelConstants c;
  EXPECT_DOUBLE_EQ(OpArgument(Op::kRotateBBox, 10, c), 30.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kRotateBBox, 5, c), 15.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kShearXBBox, 10, c), 0.3);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kTranslateXBBox, 4, c), 100.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kTranslateYOnlyBBoxes, 6, c), 72.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kCutout, 8, c), 80.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kCutoutOnlyBBoxes, 6, c), 30.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kBBoxCutout, 10, c), 0.75);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kColor, 6, c), 1.18);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kSharpness, 0, c), 0.1);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kPosterize, 10, c), 4.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kPosterize, 2, c), 0.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kSolarize, 10, c), 256.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kSolarizeAdd, 4, c), 44.0);
  EXPECT_DOUBLE_EQ(OpArgument(Op::kTranslateXBBox, 10, c.Scaled(0.2)), 50.0);
}

TEST(DetectionOpsTest, GeometricOpsMoveMaskAndBoxTogether) {
  for (Op op : AllOps()) {
    if (KindOf(op) != OpKind::kGeometric) continue;
    for (double sign : {1.0, -1.0}) {
      for (double level : {3.0, 10.0}) {
        Sample s = TexturedSample();
        Rng rng(1);
        ApplyCall(s, CallAt(op, level, sign, Small()), rng);
        const std::string what = absl::StrCat(OpName(op), " level ", level, " sign ", sign);
        ASSERT_EQ(s.boxes.size(0), 1) << what;
        EXPECT_EQ(s.labels.item<int64_t>(), 3) << what;
        const at::Tensor tight = MaskBox(s.mask, 3);
        ASSERT_TRUE(tight.defined()) << what;
        // NOTE: 2 px: the box of the mapped corners vs. the nearest-neighbour mask,
        // exact up to pixel rounding for a rectangle (for other shapes rotation
        // gives a looser box, never a tighter one).
        EXPECT_LE((tight - s.boxes).abs().max().item<float>(), 2.0f)
            << what << ": mask " << tight << " box " << s.boxes;
        EXPECT_THAT(Values(s.mask), ::testing::IsSubsetOf({0, 3, 255})) << what;
        EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{100, 120, 3})) << what;
      }
    }
  }
}

TEST(DetectionOpsTest, GeometricOpsMoveEverySoftMaskPlaneWithTheMask) {
  for (Op op : AllOps()) {
    if (KindOf(op) != OpKind::kGeometric) continue;
    Sample s = WithSoftMask(TexturedSample());
    s.label_scores = at::tensor({0.7f});
    Rng rng(1);
    ApplyCall(s, CallAt(op, 10.0, 1.0, Small()), rng);
    EXPECT_TRUE(SoftMaskFollowsMask(s)) << OpName(op);
    EXPECT_EQ(s.label_scores.sizes(), s.labels.sizes()) << OpName(op);
  }
}

TEST(DetectionOpsTest, OtherOpsLeaveBoxesLabelsAndMaskUntouched) {
  for (Op op : AllOps()) {
    if (KindOf(op) == OpKind::kGeometric) continue;
    const Sample before = TexturedSample();
    Sample s = TexturedSample();
    Rng rng(2);
    ApplyCall(s, CallAt(op, 8, 1.0, Small()), rng);
    EXPECT_TRUE(SameGeometry(s, before)) << OpName(op);
    EXPECT_EQ(s.image.sizes(), before.image.sizes()) << OpName(op);
  }
}

TEST(DetectionOpsTest, EveryOpChangesThePixels) {
  for (Op op : AllOps()) {
    const Sample before = TexturedSample();
    Sample s = TexturedSample();
    Rng rng(3);
    ApplyCall(s, CallAt(op, 8, 1.0, Small()), rng);
    EXPECT_FALSE(at::equal(s.image, before.image)) << OpName(op);
  }
}

TEST(DetectionOpsTest, PerBoxOpsChangePixelsInsideBoxesOnly) {
  for (Op op : AllOps()) {
    if (KindOf(op) != OpKind::kPerBox) continue;
    const Sample before = TexturedSample();
    Sample s = TexturedSample();
    Rng rng(4);
    ApplyCall(s, CallAt(op, 8, 1.0, Small()), rng);
    const at::Tensor changed = (s.image != before.image).any(2);
    EXPECT_TRUE(changed.slice(0, 30, 60).slice(1, 40, 70).any().item<bool>()) << OpName(op);
    changed.slice(0, 30, 60).slice(1, 40, 70).fill_(false);
    EXPECT_FALSE(changed.any().item<bool>()) << OpName(op);
  }
}

TEST(DetectionOpsTest, CutoutsStayWithinTheirRectangle) {
  for (int seed = 0; seed < 20; ++seed) {
    const Sample before = TexturedSample();
    Sample s = TexturedSample();
    Rng rng(seed);
    ApplyCall(s, CallAt(Op::kCutout, 8, 1.0, Small()), rng);  // Half-size 8.
    const at::Tensor yx = (s.image != before.image).any(2).nonzero();
    ASSERT_GT(yx.size(0), 0);
    EXPECT_LE((std::get<0>(yx.max(0)) - std::get<0>(yx.min(0))).max().item<int64_t>(), 15);
    EXPECT_TRUE((s.image.index({yx.select(1, 0), yx.select(1, 1)}) == 128).all().item<bool>());

    // BBox_Cutout at level 10: half-sizes 0.375 * 30 = 11, centred inside the box.
    Sample b = TexturedSample();
    ApplyCall(b, CallAt(Op::kBBoxCutout, 10, 1.0, Small()), rng);
    const at::Tensor byx = (b.image != before.image).any(2).nonzero();
    ASSERT_GT(byx.size(0), 0);
    EXPECT_GE(byx.select(1, 0).min().item<int64_t>(), 30 - 11);
    EXPECT_LT(byx.select(1, 0).max().item<int64_t>(), 60 + 11);
    EXPECT_GE(byx.select(1, 1).min().item<int64_t>(), 40 - 11);
    EXPECT_LT(byx.select(1, 1).max().item<int64_t>(), 70 + 11);
  }
}

TEST(DetectionOpsTest, RotateTurnsAPointAboutTheImageCentre) {
  // A 2 x 2 blob centred 20 px right of the centre of a 100 x 100 image.
  Sample s = RectangleSample(100, 100, 69, 49, 71, 51);
  Rng rng(1);
  ApplyCall(s, {Op::kRotateBBox, 30.0, 1.0}, rng);
  const at::Tensor yx = (s.mask == 3).nonzero().to(at::kDouble);
  ASSERT_GT(yx.size(0), 0);
  const double x = yx.select(1, 1).mean().item<double>() + 0.5 - 50.0;
  const double y = yx.select(1, 0).mean().item<double>() + 0.5 - 50.0;
  // Counterclockwise on screen: up (y < 0) and left.
  EXPECT_NEAR(x, 20.0 * std::cos(std::numbers::pi / 6), 1.0);
  EXPECT_NEAR(y, -20.0 * std::sin(std::numbers::pi / 6), 1.0);
}

TEST(DetectionOpsTest, TranslateMovesByTheArgumentAndDropsBoxesThatLeave) {
  Sample s = TexturedSample();
  Rng rng(1);
  ApplyCall(s, {Op::kTranslateXBBox, -25.0, 1.0}, rng);
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({15.0f, 30.0f, 45.0f, 60.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(MaskBox(s.mask, 3), s.boxes));

  Sample gone = TexturedSample();
  ApplyCall(gone, {Op::kTranslateYBBox, 250.0, 1.0}, rng);
  EXPECT_EQ(gone.boxes.size(0), 0);
  EXPECT_EQ(gone.labels.size(0), 0);
  EXPECT_EQ(Values(gone.mask), (std::set<int>{255}));
}

TEST(DetectionOpsTest, PerBoxProbabilityIsAThirdOfTheStepsAndDrawnPerBox) {
  const PolicyStep step{Op::kFlipOnlyBBoxes, 0.6, 10};
  const int kDraws = 2000;
  const Sample base = TexturedSample();
  int flipped = 0;
  for (int seed = 0; seed < kDraws; ++seed) {
    Rng rng(seed);
    OpCall call{step.op};
    ASSERT_TRUE(DrawCall(step, PixelConstants(), rng, call));  // Per-box ops always run.
    EXPECT_DOUBLE_EQ(call.box_probability, 0.2);
    Sample s = base;  // ApplyCall copies the image before changing it.
    ApplyCall(s, call, rng);
    flipped += at::equal(s.image, base.image) ? 0 : 1;
  }
  const double sigma = std::sqrt(kDraws * 0.2 * 0.8);
  EXPECT_NEAR(flipped, kDraws * 0.2, 5 * sigma);
}

TEST(DetectionOpsTest, ColourOpsFollowPilSemantics) {
  auto apply = [](Op op, double argument, std::vector<int64_t> rgb) {
    Sample s;
    s.image = at::tensor(rgb).to(at::kByte).reshape({1, -1, 3});
    Rng rng(0);
    ApplyCall(s, {op, argument, 1.0}, rng);
    return s.image.flatten();
  };
  auto bytes = [](std::vector<int64_t> v) { return at::tensor(v).to(at::kByte); };
  EXPECT_TRUE(at::equal(apply(Op::kPosterize, 2, {255, 130, 63}), bytes({192, 128, 0})));
  EXPECT_TRUE(at::equal(apply(Op::kSolarize, 128, {200, 100, 128}), bytes({55, 100, 127})));
  EXPECT_TRUE(at::equal(apply(Op::kSolarizeAdd, 44, {200, 100, 127}), bytes({200, 144, 171})));
  EXPECT_TRUE(at::equal(apply(Op::kInvert, 0, {0, 100, 255}), bytes({255, 155, 0})));
  EXPECT_TRUE(at::equal(apply(Op::kBrightness, 0.5, {200, 102, 0}), bytes({100, 51, 0})));
  EXPECT_TRUE(at::equal(apply(Op::kAutoContrast, 0, {10, 20, 30, 60, 70, 80}),
                        bytes({0, 0, 0, 255, 255, 255})));
  // 255 pixels each of two levels: step (510 - 255) / 255 = 1, so the lower level
  // goes to 0 and the upper to 255 (the table clipped).
  std::vector<int64_t> two_levels;
  for (int i = 0; i < 255; ++i) two_levels.insert(two_levels.end(), {10, 10, 10});
  for (int i = 0; i < 255; ++i) two_levels.insert(two_levels.end(), {60, 60, 60});
  const at::Tensor equalized = apply(Op::kEqualize, 0, two_levels);
  EXPECT_EQ(equalized[0].item<int>(), 0);
  EXPECT_EQ(equalized[3 * 300].item<int>(), 255);
  // A channel with too few pixels to step through is unchanged, as in PIL.
  EXPECT_TRUE(at::equal(apply(Op::kEqualize, 0, {10, 20, 30, 60, 70, 80}),
                        bytes({10, 20, 30, 60, 70, 80})));
}

}  // namespace
}  // namespace stlab::augment
