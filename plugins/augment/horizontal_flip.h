// Horizontal flip of image, boxes and mask together.
#ifndef STLAB_PLUGINS_AUGMENT_HORIZONTAL_FLIP_H_
#define STLAB_PLUGINS_AUGMENT_HORIZONTAL_FLIP_H_

#include "core/augmentation.h"

namespace stlab::augment {

/// Mirrors the sample left-right with probability `probability`.
class HorizontalFlip : public Augmentation {
 public:
  explicit HorizontalFlip(double probability) : probability_(probability) {}
  absl::Status Apply(Sample& sample, Rng& rng) const override;

 private:
  double probability_;
};

/// Mirrors unconditionally: pixel column x goes to W - 1 - x, box [x1, x2] to
/// [W - x2, W - x1].
absl::Status FlipHorizontally(Sample& sample);

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_HORIZONTAL_FLIP_H_
