// Deterministic resize to a target side length, keeping the aspect ratio.
#ifndef STLAB_PLUGINS_AUGMENT_RESIZE_H_
#define STLAB_PLUGINS_AUGMENT_RESIZE_H_

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "core/augmentation.h"

namespace stlab::augment {

enum class ResizeMode {
  kLongerSide,   ///< The longer side becomes `size` (EfficientDet's eval resize).
  kShorterSide,  ///< The shorter side becomes `size` (Detectron2's ResizeShortestEdge).
};

struct ResizeOptions {
  int64_t size = 640;
  ResizeMode mode = ResizeMode::kLongerSide;
  /// kShorterSide only: the longer side is capped at max_size (0 = no cap), as
  /// Detectron2's max_size (e.g. size 800, max_size 1333).
  int64_t max_size = 0;
};

/// Checks the options as a whole, e.g. that max_size is only set with kShorterSide.
absl::Status Validate(const ResizeOptions& options);

/// The output {height, width} for an input of height x width: both sides scaled by
/// one factor, rounded to the nearest pixel, at least 1.
std::array<int64_t, 2> ResizedShape(int64_t height, int64_t width, const ResizeOptions& options);

/// Resizes image (bilinear), mask (nearest) and boxes to ResizedShape. Each axis
/// scales by its own rounded ratio (out_width / width, out_height / height), so
/// the image fills the output exactly and boxes follow the pixels.
class Resize : public Augmentation {
 public:
  explicit Resize(ResizeOptions options) : options_(options) {}
  absl::Status Apply(Sample& sample, Rng& rng) const override;

 private:
  ResizeOptions options_;
};

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_RESIZE_H_
