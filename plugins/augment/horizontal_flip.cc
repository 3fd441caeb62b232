// Horizontal flip: pixels via ATen's flip, boxes mirrored about the image width.
#include "plugins/augment/horizontal_flip.h"

#include "ATen/ATen.h"
#include "core/status.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

absl::Status FlipHorizontally(Sample& sample) {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "horizontal_flip"));
  const ScaleTranslate mirror{.scale_x = -1.0,
                              .offset_x = static_cast<double>(sample.image.size(1))};
  sample.image = sample.image.flip({1}).contiguous();
  if (sample.mask.defined()) sample.mask = sample.mask.flip({1}).contiguous();
  if (sample.soft_mask.defined()) sample.soft_mask = sample.soft_mask.flip({2}).contiguous();
  sample.boxes = TransformBoxes(sample.boxes, mirror);
  sample.ignore_boxes = TransformBoxes(sample.ignore_boxes, mirror);
  return absl::OkStatus();
}

absl::Status HorizontalFlip::Apply(Sample& sample, Rng& rng) const {
  if (!rng.Bernoulli(probability_)) return absl::OkStatus();
  return FlipHorizontally(sample);
}

}  // namespace stlab::augment
