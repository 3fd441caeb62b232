// Augmentation interface: transforms an image with its boxes and mask together.
#ifndef STLAB_CORE_AUGMENTATION_H_
#define STLAB_CORE_AUGMENTATION_H_

#include "absl/status/status.h"
#include "core/export.h"
#include "core/rng.h"
#include "core/sample.h"

namespace stlab {

/// One augmentation operation or policy.
///
/// Contract: Apply() changes `sample.image`, `sample.boxes` (+ `labels`,
/// `ignore_boxes`) and `sample.mask` consistently, so that a box still encloses
/// the pixels of its object and the mask still labels them; boxes that leave the
/// image are clipped, and boxes left with no area are removed with their labels.
/// Every random choice comes from `rng`. Apply() is const and may run on many
/// threads at once, each with its own Rng.
class STLAB_API Augmentation {
 public:
  virtual ~Augmentation() = default;
  virtual absl::Status Apply(Sample& sample, Rng& rng) const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_AUGMENTATION_H_
