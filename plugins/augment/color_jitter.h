// Colour jitter with torchvision's ColorJitter semantics: brightness, contrast,
// saturation and hue changed by random factors, in a random order.
#ifndef STLAB_PLUGINS_AUGMENT_COLOR_JITTER_H_
#define STLAB_PLUGINS_AUGMENT_COLOR_JITTER_H_

#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "core/augmentation.h"

namespace stlab::augment {

/// Strengths as in torchvision: brightness, contrast and saturation factors are
/// uniform in [max(0, 1 - s), 1 + s], the hue shift uniform in [-hue, hue] turns.
/// A strength of 0 disables that adjustment (and its random draw).
struct ColorJitterOptions {
  double brightness = 0.4;   ///< >= 0
  double contrast = 0.4;     ///< >= 0
  double saturation = 0.4;   ///< >= 0
  double hue = 0.1;          ///< in [0, 0.5]
  double probability = 1.0;  ///< Chance that a sample is jittered at all.
};

/// Checks the ranges above.
absl::Status Validate(const ColorJitterOptions& options);

enum class ColorAdjustment { kBrightness, kContrast, kSaturation, kHue };

/// One adjustment with its drawn factor (for kHue: the shift in turns).
struct ColorStep {
  ColorAdjustment adjustment;
  double factor;
};

/// Applies `steps` in order to an [H, W, 3] uint8 RGB image and returns a new one.
/// As torchvision, on pixel values v in [0, 255], each step clamped to [0, 255]:
///   brightness  v * f
///   contrast    f * v + (1 - f) * mean grey level of the image
///   saturation  f * v + (1 - f) * grey level of the pixel
///   hue         rotate the HSV hue by f turns
/// Grey level = 0.299 R + 0.587 G + 0.114 B.
// NOTE: unlike torchvision on uint8 images, intermediate results stay float and
// the result is rounded once, not truncated after every step, which would darken
// the image by up to half a grey level per step.
at::Tensor AdjustColors(const at::Tensor& image, const std::vector<ColorStep>& steps);

/// Changes the image only; boxes and mask are untouched.
class ColorJitter : public Augmentation {
 public:
  /// `options` must pass Validate().
  explicit ColorJitter(ColorJitterOptions options) : options_(options) {}

  absl::Status Apply(Sample& sample, Rng& rng) const override;

  /// Draws whether to jitter (empty when not), then the order of the enabled
  /// adjustments, then their factors in the fixed order brightness, contrast,
  /// saturation, hue (as torchvision draws them).
  std::vector<ColorStep> Draw(Rng& rng) const;

 private:
  ColorJitterOptions options_;
};

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_COLOR_JITTER_H_
