// Scale jittering (the paper's and EfficientDet's "scale jitter"; Large-Scale
// Jittering with the range [0.1, 2.0]): random rescale, then a fixed-size crop or pad.
#ifndef STLAB_PLUGINS_AUGMENT_RANDOM_SCALE_CROP_H_
#define STLAB_PLUGINS_AUGMENT_RANDOM_SCALE_CROP_H_

#include <cstdint>

#include "absl/status/status.h"
#include "core/augmentation.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

/// Where a scaled image smaller than the canvas goes on it.
enum class Placement {
  kTopLeft,  ///< Padding at the bottom and right only (EfficientDet, TF RetinaNet).
  kRandom,   ///< A uniformly random integer position.
};

struct RandomScaleCropOptions {
  int64_t size = 640;      ///< The output is size x size.
  double scale_min = 0.8;  ///< The scaled image's longer side is s * size,
  double scale_max = 1.2;  ///< s uniform in [scale_min, scale_max].
  Placement placement = Placement::kTopLeft;
  /// Canvas pixels outside the scaled image: by default the mean pixel, which is
  /// what Collate pads with (see MeanPixel).
  Rgb fill = MeanPixel();
  /// Boxes keeping less than this fraction of their area after the crop are dropped
  /// (boxes left with no area always are).
  double min_visible_fraction = 0.0;
};

/// Checks the options as a whole, e.g. "scale_min (1.5) must be <= scale_max (1.2)".
absl::Status Validate(const RandomScaleCropOptions& options);

/// One draw: the image is scaled to scaled_height x scaled_width and its top-left
/// corner put at canvas pixel (offset_x, offset_y); a negative offset crops.
struct ScaleCropPlan {
  int64_t scaled_height = 0;
  int64_t scaled_width = 0;
  int64_t offset_x = 0;
  int64_t offset_y = 0;
};

/// Rescales by a random factor, then takes a uniformly random size x size crop
/// where the scaled image is larger than the canvas and pads (see Placement) where
/// it is smaller, independently per axis. Image bilinear (padding `fill`), mask
/// nearest (padding kIgnoreLabel); boxes scaled, shifted, clipped and filtered.
class RandomScaleCrop : public Augmentation {
 public:
  /// `options` must pass Validate().
  explicit RandomScaleCrop(RandomScaleCropOptions options) : options_(options) {}

  absl::Status Apply(Sample& sample, Rng& rng) const override;

  /// Draws the plan for a height x width image: the scale first, then the x and the
  /// y offset (each drawn only where the axis is cropped or randomly placed).
  ScaleCropPlan Draw(int64_t height, int64_t width, Rng& rng) const;
  /// Applies a plan to a sample that passed CheckSample.
  void ApplyPlan(Sample& sample, const ScaleCropPlan& plan) const;

 private:
  RandomScaleCropOptions options_;
};

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_RANDOM_SCALE_CROP_H_
