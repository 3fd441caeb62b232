// Horizontal flip: pixels via ATen's flip, boxes mirrored about the image width.
#include "plugins/augment/horizontal_flip.h"

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"

namespace stlab::augment {
namespace {

at::Tensor MirrorBoxes(const at::Tensor& boxes, double width) {
  if (!boxes.defined() || boxes.size(0) == 0) return boxes;
  at::Tensor out = boxes.clone();
  out.select(1, 0) = width - boxes.select(1, 2);
  out.select(1, 2) = width - boxes.select(1, 0);
  return out;
}

}  // namespace

absl::Status FlipHorizontally(Sample& sample) {
  if (!sample.image.defined() || sample.image.dim() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("horizontal_flip: ", sample.source, ": image must be [H, W, C]"));
  }
  const double width = static_cast<double>(sample.image.size(1));
  sample.image = sample.image.flip({1}).contiguous();
  if (sample.mask.defined()) sample.mask = sample.mask.flip({1}).contiguous();
  sample.boxes = MirrorBoxes(sample.boxes, width);
  sample.ignore_boxes = MirrorBoxes(sample.ignore_boxes, width);
  return absl::OkStatus();
}

absl::Status HorizontalFlip::Apply(Sample& sample, Rng& rng) const {
  if (!rng.Bernoulli(probability_)) return absl::OkStatus();
  return FlipHorizontally(sample);
}

}  // namespace stlab::augment
