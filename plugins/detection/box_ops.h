// Box geometry for detection: pairwise overlaps, RetinaNet's box coding (anchor-relative
// deltas) and clipping to the image. Boxes are (x1, y1, x2, y2) in input-image pixels.
#ifndef STLAB_PLUGINS_DETECTION_BOX_OPS_H_
#define STLAB_PLUGINS_DETECTION_BOX_OPS_H_

#include <cstdint>

#include "ATen/core/Tensor.h"

namespace stlab::detection {

/// Intersection over union of every pair: `a` [N, 4] and `b` [M, 4], floating, same
/// dtype and device -> [N, M] of that dtype. A pair whose union is empty (both boxes
/// degenerate) scores 0, not torchvision's NaN, so that matching never sees NaN.
/// For target assignment, not losses: the result never requires grad.
at::Tensor PairwiseIou(const at::Tensor& a, const at::Tensor& b);

/// Intersection over the area of the first box of every pair (MMDetection's "iof"):
/// the fraction of each `a` box [N, 4] covered by each `b` box [M, 4] -> [N, M].
/// Empty `a` boxes score 0. The result never requires grad.
at::Tensor PairwiseIoa(const at::Tensor& a, const at::Tensor& b);

/// Generalized IoU (Rezatofighi et al. 2019) of corresponding boxes: `a` and `b`
/// [..., 4] of one shape -> [...], in [-1, 1]. Differentiable in both, for box
/// losses (1 - GIoU); degenerate pairs get a tiny epsilon rather than NaN.
at::Tensor PairedGeneralizedIou(const at::Tensor& a, const at::Tensor& b);

/// Per-coordinate weights of the box coding: deltas are multiplied by them when
/// encoding and divided when decoding. RetinaNet uses (1, 1, 1, 1).
struct BoxCoderWeights {
  double x = 1.0;
  double y = 1.0;
  double w = 1.0;
  double h = 1.0;
};

/// Upper clamp of the decoded log-scale deltas dw, dh: log(1000 / 16), as in
/// torchvision and Detectron2, so a box grows at most 62.5x its anchor and exp()
/// cannot overflow on an untrained head.
inline constexpr double kMaxLogScale = 4.135166556742356;

/// Encodes `boxes` relative to `anchors` (both [..., 4], broadcastable, floating):
/// returns [..., 4] deltas (dx, dy, dw, dh) with dx = wx * (cx - acx) / aw and
/// dw = ww * log(w / aw), centres and sizes in pixels. Anchors must have positive size.
at::Tensor Encode(const at::Tensor& anchors, const at::Tensor& boxes,
                  const BoxCoderWeights& weights = {});

/// Inverse of Encode: applies deltas [..., 4] to anchors [..., 4] (broadcastable)
/// and returns boxes [..., 4] in pixels, in the dtype of `deltas`. The scale deltas
/// (dw, dh after dividing by the weights) are clamped above at kMaxLogScale.
/// Differentiable with respect to `deltas`.
at::Tensor Decode(const at::Tensor& anchors, const at::Tensor& deltas,
                  const BoxCoderWeights& weights = {});

/// Clamps boxes [..., 4] to the image: x to [0, width], y to [0, height] (pixels).
/// Returns a new tensor.
at::Tensor ClipToImage(const at::Tensor& boxes, int64_t height, int64_t width);

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_BOX_OPS_H_
