// IoU matching with ATen ops on the anchors' device: one [G, A] IoU matrix, its
// column maxima for the thresholds and its row maxima for the low-quality matches.
#include "plugins/detection/matcher.h"

#include "ATen/ATen.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "plugins/detection/box_ops.h"

namespace stlab::detection {

absl::StatusOr<Matcher> Matcher::Create(const MatcherOptions& options) {
  if (!(0 <= options.negative_iou && options.negative_iou <= options.positive_iou &&
        options.positive_iou <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("matcher: need 0 <= negative_iou <= positive_iou <= 1, got negative_iou ",
                     options.negative_iou, " and positive_iou ", options.positive_iou));
  }
  if (!(0 < options.ignore_ioa && options.ignore_ioa <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("matcher: ignore_ioa must be in (0, 1], got ", options.ignore_ioa));
  }
  return Matcher(options);
}

at::Tensor Matcher::Match(const at::Tensor& anchors, const at::Tensor& gt_boxes,
                          const at::Tensor& ignore_boxes) const {
  TORCH_CHECK(anchors.dim() == 2 && anchors.size(1) == 4, "matcher: anchors must be [A, 4], got ",
              anchors.sizes());
  TORCH_CHECK(gt_boxes.defined() && gt_boxes.dim() == 2 && gt_boxes.size(1) == 4,
              "matcher: gt_boxes must be [G, 4], got ",
              gt_boxes.defined() ? gt_boxes.sizes() : at::IntArrayRef{});
  const int64_t num_anchors = anchors.size(0);
  at::Tensor matches = at::full({num_anchors}, kBackground, anchors.options().dtype(at::kLong));
  if (num_anchors == 0) return matches;

  if (gt_boxes.size(0) > 0) {
    const at::Tensor iou = PairwiseIou(gt_boxes, anchors);  // [G, A]
    auto [best_iou, best_gt] = iou.max(0);                  // [A] each
    matches = best_gt.clone();
    matches.masked_fill_(best_iou < options_.negative_iou, kBackground);
    matches.masked_fill_((best_iou >= options_.negative_iou) & (best_iou < options_.positive_iou),
                         kIgnored);
    if (options_.allow_low_quality_matches) {
      at::Tensor highest = iou.amax(1, /*keepdim=*/true);  // [G, 1]
      // NOTE: a box overlapping no anchor at all (highest == 0) promotes nothing;
      // torchvision would promote every anchor, all tied at 0. No IoU equals -1.
      highest.masked_fill_(highest <= 0, -1);
      const at::Tensor promoted = (iou == highest).any(0);
      matches = at::where(promoted, best_gt, matches);
    }
  }

  if (ignore_boxes.defined() && ignore_boxes.numel() > 0) {
    TORCH_CHECK(ignore_boxes.dim() == 2 && ignore_boxes.size(1) == 4,
                "matcher: ignore_boxes must be [K, 4], got ", ignore_boxes.sizes());
    const at::Tensor covered = PairwiseIoa(anchors, ignore_boxes).amax(1) >= options_.ignore_ioa;
    matches.masked_fill_(covered & (matches == kBackground), kIgnored);
  }
  return matches;
}

}  // namespace stlab::detection
