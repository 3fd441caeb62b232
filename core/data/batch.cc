// Padding, normalization and stacking.
#include "core/data/batch.h"

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"

namespace stlab {
namespace {

int64_t RoundUp(int64_t x, int64_t divisor) { return (x + divisor - 1) / divisor * divisor; }

}  // namespace

absl::StatusOr<Batch> Collate(std::vector<Sample> samples, int64_t size_divisor,
                              const Normalization& normalization) {
  if (samples.empty()) return absl::InvalidArgumentError("cannot collate an empty batch");
  if (size_divisor < 1) {
    return absl::InvalidArgumentError(absl::StrCat("size divisor must be >= 1, got ", size_divisor));
  }
  const bool with_masks = samples.front().mask.defined();
  const bool with_soft_masks = samples.front().soft_mask.defined();
  const int64_t soft_classes = with_soft_masks ? samples.front().soft_mask.size(0) : 0;
  int64_t height = 0;
  int64_t width = 0;
  for (const Sample& s : samples) {
    if (!s.image.defined() || s.image.dim() != 3 || s.image.size(2) != 3 ||
        s.image.scalar_type() != at::kByte) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.source, ": image must be [H, W, 3] uint8"));
    }
    if (s.mask.defined() != with_masks) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.source, ": either every sample of a batch has a mask or none does"));
    }
    if (with_masks && (s.mask.dim() != 2 || s.mask.size(0) != s.image.size(0) ||
                       s.mask.size(1) != s.image.size(1))) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.source, ": mask must be [H, W] like its image"));
    }
    if (s.soft_mask.defined() != with_soft_masks) {
      return absl::InvalidArgumentError(absl::StrCat(
          s.source, ": either every sample of a batch has a soft mask or none does"));
    }
    if (with_soft_masks &&
        (s.soft_mask.dim() != 3 || s.soft_mask.size(0) != soft_classes ||
         s.soft_mask.size(1) != s.image.size(0) || s.soft_mask.size(2) != s.image.size(1) ||
         s.soft_mask.scalar_type() != at::kByte)) {
      return absl::InvalidArgumentError(absl::StrCat(
          s.source, ": soft mask must be [", soft_classes, ", H, W] uint8 like its image"));
    }
    height = std::max(height, s.image.size(0));
    width = std::max(width, s.image.size(1));
  }
  height = RoundUp(height, size_divisor);
  width = RoundUp(width, size_divisor);
  const int64_t n = static_cast<int64_t>(samples.size());
  Batch batch;
  batch.images = at::zeros({n, 3, height, width}, at::kFloat);
  if (with_masks) batch.masks = at::full({n, height, width}, kIgnoreLabel, at::kByte);
  if (with_soft_masks) batch.soft_masks = at::zeros({n, soft_classes, height, width}, at::kFloat);
  const at::Tensor mean = at::tensor(std::vector<float>(normalization.mean.begin(),
                                                        normalization.mean.end()))
                              .view({3, 1, 1});
  const at::Tensor std = at::tensor(std::vector<float>(normalization.std.begin(),
                                                       normalization.std.end()))
                             .view({3, 1, 1});
  for (int64_t i = 0; i < n; ++i) {
    Sample& s = samples[i];
    const int64_t h = s.image.size(0);
    const int64_t w = s.image.size(1);
    batch.images[i].slice(1, 0, h).slice(2, 0, w).copy_(
        (s.image.permute({2, 0, 1}).to(at::kFloat) - mean) / std);
    if (with_masks) batch.masks[i].slice(0, 0, h).slice(1, 0, w).copy_(s.mask);
    if (with_soft_masks) {
      const at::Tensor probs = s.soft_mask.to(at::kFloat);
      batch.soft_masks[i].slice(1, 0, h).slice(2, 0, w).copy_(
          probs / probs.sum(0, /*keepdim=*/true).clamp_min(1.0f));
    }
    batch.image_sizes.push_back({h, w});
    s.image = at::Tensor();
    s.mask = at::Tensor();
    s.soft_mask = at::Tensor();
  }
  batch.samples = std::move(samples);
  return batch;
}

}  // namespace stlab
