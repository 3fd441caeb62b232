// Anchor-to-ground-truth matching by IoU (RetinaNet's rule, torchvision's Matcher),
// plus ignore regions (COCO crowd boxes).
#ifndef STLAB_PLUGINS_DETECTION_MATCHER_H_
#define STLAB_PLUGINS_DETECTION_MATCHER_H_

#include <cstdint>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"

namespace stlab::detection {

/// Match value of an anchor trained as background.
inline constexpr int64_t kBackground = -1;
/// Match value of an anchor left out of the classification and box losses.
inline constexpr int64_t kIgnored = -2;

/// Thresholds of the matcher; the defaults are RetinaNet's.
struct MatcherOptions {
  /// An anchor whose best IoU with a ground-truth box is >= this is positive.
  double positive_iou = 0.5;
  /// An anchor whose best IoU is < this is background; in between it is ignored.
  double negative_iou = 0.4;
  /// Also make positive, for each ground-truth box, the anchors with its highest IoU
  /// (when that IoU is > 0), so that every box gets at least one anchor.
  bool allow_low_quality_matches = true;
  /// Background anchors with at least this fraction of their area inside an ignore
  /// region become ignored.
  double ignore_ioa = 0.5;
};

/// Assigns each anchor a ground-truth box, background or ignored. Immutable and
/// thread-safe once created.
///
/// A low-quality match gets the anchor's own best box, which differs from the box it
/// was promoted for when it overlaps another box more (torchvision does the same).
///
/// NOTE: ignore regions are measured by intersection over the *anchor's* area (IoA),
/// not IoU: a crowd region is usually much larger than an anchor, so an anchor well
/// inside it has a small IoU yet must not be trained as background. They only turn
/// background into ignored and never cancel a positive, because a labeled box inside
/// a crowd region is still a labeled object (MMDetection's MaxIoUAssigner ignores them).
class Matcher {
 public:
  /// Fails with InvalidArgument unless 0 <= negative_iou <= positive_iou <= 1 and
  /// 0 < ignore_ioa <= 1.
  static absl::StatusOr<Matcher> Create(const MatcherOptions& options);

  /// `anchors` [A, 4] and `gt_boxes` [G, 4] (G may be 0) float32 (x1, y1, x2, y2)
  /// pixels on one device; `ignore_boxes` [K, 4] likewise, or undefined.
  /// Returns [A] int64 on that device: the index in [0, G) of the matched box, or
  /// kBackground, or kIgnored. With no ground truth every anchor is background
  /// (save those in ignore regions).
  at::Tensor Match(const at::Tensor& anchors, const at::Tensor& gt_boxes,
                   const at::Tensor& ignore_boxes = {}) const;

  const MatcherOptions& options() const { return options_; }

 private:
  explicit Matcher(const MatcherOptions& options) : options_(options) {}

  MatcherOptions options_;
};

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_MATCHER_H_
