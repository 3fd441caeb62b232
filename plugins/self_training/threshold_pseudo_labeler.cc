// Confidence-threshold pseudo labels.
#include "plugins/self_training/threshold_pseudo_labeler.h"

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"

namespace stlab::self_training {

absl::StatusOr<std::optional<Sample>> DetectionThresholdLabeler::Label(
    const Sample& image, const Prediction& teacher) const {
  const Detections& d = teacher.detections;
  if (!d.boxes.defined() || !d.scores.defined() || !d.labels.defined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "detection pseudo-labeler: ", image.source, ": the teacher produced no detections"));
  }
  const at::Tensor keep = d.scores >= threshold_;
  Sample out = image;
  out.boxes = d.boxes.index({keep}).to(at::kFloat).contiguous();
  out.labels = d.labels.index({keep}).to(at::kLong).contiguous();
  out.label_scores =
      soft_ ? d.scores.index({keep}).to(at::kFloat).contiguous() : at::Tensor();
  out.ignore_boxes =
      ignore_threshold_ < threshold_
          ? d.boxes.index({(d.scores >= ignore_threshold_) & ~keep}).to(at::kFloat).contiguous()
          : at::Tensor();
  out.mask = at::Tensor();
  out.pseudo_labeled = true;
  if (out.boxes.size(0) == 0 && !keep_empty_) return std::optional<Sample>();
  return std::optional<Sample>(std::move(out));
}

absl::StatusOr<std::optional<Sample>> SegmentationThresholdLabeler::Label(
    const Sample& image, const Prediction& teacher) const {
  const at::Tensor& probs = teacher.class_probs;
  if (!probs.defined() || probs.dim() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("segmentation pseudo-labeler: ", image.source,
                     ": the teacher's class probabilities must be [C, H, W]"));
  }
  auto [top, cls] = probs.max(0);
  at::Tensor mask = cls.to(at::kByte);
  mask.masked_fill_(top < threshold_, static_cast<int64_t>(kIgnoreLabel));
  Sample out = image;
  out.mask = mask.contiguous();
  out.soft_mask = soft_ ? (probs * 255).round_().clamp_(0, 255).to(at::kByte).contiguous()
                        : at::Tensor();
  out.boxes = at::Tensor();
  out.labels = at::Tensor();
  out.ignore_boxes = at::Tensor();
  out.pseudo_labeled = true;
  return std::optional<Sample>(std::move(out));
}

}  // namespace stlab::self_training
