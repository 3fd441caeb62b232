// The operations of the learned detection augmentation policies (Zoph et al. 2019,
// "Learning Data Augmentation Strategies for Object Detection") and of RandAugment
// for detection: their names, how a magnitude level in [0, 10] becomes an argument,
// and how each op changes image, boxes and mask together.
#ifndef STLAB_PLUGINS_AUGMENT_DETECTION_OPS_H_
#define STLAB_PLUGINS_AUGMENT_DETECTION_OPS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/rng.h"
#include "core/sample.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

/// The ops, named as in the TF reference (OpName). What each does at level L
/// (argument in parentheses; "±" = the sign is drawn uniformly per application):
///   colour ops, on the whole image; boxes and mask unchanged:
///     AutoContrast, Equalize, Invert
///     Posterize     (bits = int(L/10 * 4))
///     Solarize      (threshold = int(L/10 * 256))
///     SolarizeAdd   (addition = int(L/10 * 110) below 128)
///     Color, Contrast, Brightness, Sharpness (factor = L/10 * 1.8 + 0.1)
///   cutouts, filled with grey 128; boxes and mask unchanged (occluded objects keep
///   their labels):
///     Cutout        (square of half-size int(L/10 * cutout) centred uniformly
///                    on the image)
///     BBox_Cutout   (one box drawn uniformly; a rectangle of half-sizes
///                    int(f * box side / 2), f = L/10 * 0.75, centred uniformly in the box)
///   geometric ops, moving image (bilinear, grey 128 outside), mask (nearest,
///   kIgnoreLabel outside) and boxes (the box enclosing the mapped corners; for
///   Rotate this is looser than the object, as in the reference) together:
///     Rotate_BBox      (±L/10 * 30 degrees about the image centre)
///     ShearX/Y_BBox    (±L/10 * 0.3, about the top-left corner)
///     TranslateX/Y_BBox (±int(L/10 * translate) pixels)
///   per-box ops: each box (in random order) independently with probability p / 3
///   gets the op applied to the pixels it covers only, as if they were an image;
///   boxes and mask unchanged:
///     Rotate/ShearX/ShearY_Only_BBoxes (as above, about the box centre / corner)
///     TranslateX/Y_Only_BBoxes (±int(L/10 * translate_bbox) pixels)
///     Flip_Only_BBoxes, Equalize_Only_BBoxes
///     Solarize_Only_BBoxes (threshold as Solarize)
///     Cutout_Only_BBoxes (half-size int(L/10 * cutout_bbox), inside the box)
enum class Op {
  kAutoContrast, kEqualize, kInvert, kPosterize, kSolarize, kSolarizeAdd,
  kColor, kContrast, kBrightness, kSharpness,
  kCutout, kBBoxCutout,
  kRotateBBox, kShearXBBox, kShearYBBox, kTranslateXBBox, kTranslateYBBox,
  kRotateOnlyBBoxes, kShearXOnlyBBoxes, kShearYOnlyBBoxes, kTranslateXOnlyBBoxes,
  kTranslateYOnlyBBoxes, kFlipOnlyBBoxes, kEqualizeOnlyBBoxes, kSolarizeOnlyBBoxes,
  kCutoutOnlyBBoxes,
};

/// What an op may change.
enum class OpKind {
  kColor,      ///< Image pixels, everywhere alike.
  kCutout,     ///< Image pixels of a rectangle.
  kGeometric,  ///< Image, mask and boxes.
  kPerBox,     ///< Image pixels inside boxes.
};

/// Every op, in the order of the enum.
const std::vector<Op>& AllOps();
absl::string_view OpName(Op op);
OpKind KindOf(Op op);
/// The op called `name`; the error lists every name.
absl::StatusOr<Op> OpFromName(absl::string_view name);

/// The highest magnitude level, as the reference's _MAX_LEVEL.
inline constexpr double kMaxLevel = 10.0;
/// A per-box op changes each box with the policy's probability divided by this
/// (the reference's _scale_bbox_only_op_probability).
inline constexpr double kPerBoxProbabilityDivisor = 3.0;

/// The pixel lengths of the ops at level 10. The reference's values (AutoAugment:
/// translate 250, cutout 100, translate_bbox 120, cutout_bbox 50) assume 640 to
/// 1024 px images; Scaled() adapts them to other sizes.
struct PixelConstants {
  double translate = 250.0;
  double cutout = 100.0;
  double translate_bbox = 120.0;
  double cutout_bbox = 50.0;

  PixelConstants Scaled(double factor) const {
    return {translate * factor, cutout * factor, translate_bbox * factor, cutout_bbox * factor};
  }
};

/// The grey that cutouts and uncovered pixels get (the reference's replace value).
inline constexpr Rgb kOpFill = {128, 128, 128};

/// The op's argument at `level` in [0, 10], before any random sign (see Op).
double OpArgument(Op op, double level, const PixelConstants& constants);
/// Whether the argument's sign is drawn at random.
bool HasRandomSign(Op op);

/// One op as it will be applied: the argument with its sign, and for per-box ops
/// the probability with which each box is changed (1 otherwise).
struct OpCall {
  Op op;
  double argument = 0.0;
  double box_probability = 1.0;
};

/// One entry of a policy: apply `op` at `level` with `probability`.
struct PolicyStep {
  Op op;
  double probability;
  double level;
};

/// Draws whether `step` is applied (per-box ops always are: their probability goes
/// to each box, divided by kPerBoxProbabilityDivisor), then the argument's sign.
/// Returns false when the step is skipped.
bool DrawCall(const PolicyStep& step, const PixelConstants& constants, Rng& rng, OpCall& call);

/// Applies `call` to a sample that passed CheckSample. The op's other draws (which
/// boxes, their order, cutout positions) come from `rng`. Geometric ops clip the
/// boxes and remove those left with no area (with their labels).
void ApplyCall(Sample& sample, const OpCall& call, Rng& rng);

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_DETECTION_OPS_H_
