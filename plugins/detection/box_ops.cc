// Box geometry with ATen ops, so every function runs on the boxes' device and
// (Decode) stays differentiable.
#include "plugins/detection/box_ops.h"

#include <limits>

#include "ATen/ATen.h"

namespace stlab::detection {
namespace {

void CheckBoxes(const at::Tensor& boxes, const char* what) {
  TORCH_CHECK(boxes.defined(), what, " is undefined");
  TORCH_CHECK(boxes.dim() >= 1 && boxes.size(-1) == 4, what,
              " must be [..., 4] (x1, y1, x2, y2), got ", boxes.sizes());
  TORCH_CHECK(at::isFloatingType(boxes.scalar_type()), what, " must be floating, got ",
              boxes.scalar_type());
}

void CheckPairwiseInputs(const at::Tensor& a, const at::Tensor& b) {
  CheckBoxes(a, "boxes a");
  CheckBoxes(b, "boxes b");
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2, "pairwise overlaps need [N, 4] and [M, 4], got ",
              a.sizes(), " and ", b.sizes());
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), "box dtypes differ: ", a.scalar_type(), " vs ",
              b.scalar_type());
  TORCH_CHECK(a.device() == b.device(), "boxes on different devices: ", a.device(), " vs ",
              b.device());
}

at::Tensor Area(const at::Tensor& boxes) {
  return (boxes.select(-1, 2) - boxes.select(-1, 0)) * (boxes.select(-1, 3) - boxes.select(-1, 1));
}

// [N, M] intersection areas of a [N, 4] with b [M, 4]. Works on [N, 1] x [M] columns,
// so every op runs over a contiguous [N, M] (M is the long side when matching), and
// in place where it can: these [N, M] temporaries dominate the cost.
at::Tensor PairwiseIntersection(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor bt = b.t().contiguous();  // [4, M]
  const auto a_col = [&](int64_t k) { return a.select(1, k).unsqueeze(1); };
  at::Tensor w = at::min(a_col(2), bt[2]);
  w.sub_(at::max(a_col(0), bt[0])).clamp_min_(0);
  at::Tensor h = at::min(a_col(3), bt[3]);
  h.sub_(at::max(a_col(1), bt[1])).clamp_min_(0);
  return w.mul_(h);
}

// NOTE: denominators (never below the intersection) are clamped to the smallest normal
// float, which turns 0 / 0 into 0 and changes nothing else a real box can produce.
constexpr double kTinyArea = std::numeric_limits<float>::min();

}  // namespace

at::Tensor PairwiseIou(const at::Tensor& a, const at::Tensor& b) {
  CheckPairwiseInputs(a, b);
  const at::NoGradGuard no_grad;
  at::Tensor inter = PairwiseIntersection(a, b);
  at::Tensor uni = Area(a).unsqueeze(1) + Area(b).unsqueeze(0);
  uni.sub_(inter).clamp_min_(kTinyArea);
  return inter.div_(uni);
}

at::Tensor PairwiseIoa(const at::Tensor& a, const at::Tensor& b) {
  CheckPairwiseInputs(a, b);
  const at::NoGradGuard no_grad;
  return PairwiseIntersection(a, b).div_(Area(a).clamp_min(kTinyArea).unsqueeze(1));
}

at::Tensor Encode(const at::Tensor& anchors, const at::Tensor& boxes,
                  const BoxCoderWeights& weights) {
  CheckBoxes(anchors, "anchors");
  CheckBoxes(boxes, "boxes");
  const at::Tensor aw = anchors.select(-1, 2) - anchors.select(-1, 0);
  const at::Tensor ah = anchors.select(-1, 3) - anchors.select(-1, 1);
  const at::Tensor acx = anchors.select(-1, 0) + 0.5 * aw;
  const at::Tensor acy = anchors.select(-1, 1) + 0.5 * ah;
  const at::Tensor w = boxes.select(-1, 2) - boxes.select(-1, 0);
  const at::Tensor h = boxes.select(-1, 3) - boxes.select(-1, 1);
  const at::Tensor cx = boxes.select(-1, 0) + 0.5 * w;
  const at::Tensor cy = boxes.select(-1, 1) + 0.5 * h;
  return at::stack({weights.x * (cx - acx) / aw, weights.y * (cy - acy) / ah,
                    weights.w * at::log(w / aw), weights.h * at::log(h / ah)},
                   -1);
}

at::Tensor Decode(const at::Tensor& anchors, const at::Tensor& deltas,
                  const BoxCoderWeights& weights) {
  CheckBoxes(anchors, "anchors");
  CheckBoxes(deltas, "deltas");
  const at::Tensor a = anchors.to(deltas.scalar_type());
  const at::Tensor aw = a.select(-1, 2) - a.select(-1, 0);
  const at::Tensor ah = a.select(-1, 3) - a.select(-1, 1);
  const at::Tensor acx = a.select(-1, 0) + 0.5 * aw;
  const at::Tensor acy = a.select(-1, 1) + 0.5 * ah;
  const at::Tensor dx = deltas.select(-1, 0) / weights.x;
  const at::Tensor dy = deltas.select(-1, 1) / weights.y;
  const at::Tensor dw = (deltas.select(-1, 2) / weights.w).clamp_max(kMaxLogScale);
  const at::Tensor dh = (deltas.select(-1, 3) / weights.h).clamp_max(kMaxLogScale);
  const at::Tensor cx = dx * aw + acx;
  const at::Tensor cy = dy * ah + acy;
  const at::Tensor half_w = 0.5 * at::exp(dw) * aw;
  const at::Tensor half_h = 0.5 * at::exp(dh) * ah;
  return at::stack({cx - half_w, cy - half_h, cx + half_w, cy + half_h}, -1);
}

at::Tensor PairedGeneralizedIou(const at::Tensor& a, const at::Tensor& b) {
  constexpr double kEps = 1e-7;
  const at::Tensor area_a = (a.select(-1, 2) - a.select(-1, 0)) * (a.select(-1, 3) - a.select(-1, 1));
  const at::Tensor area_b = (b.select(-1, 2) - b.select(-1, 0)) * (b.select(-1, 3) - b.select(-1, 1));
  const at::Tensor lt = at::max(a.narrow(-1, 0, 2), b.narrow(-1, 0, 2));
  const at::Tensor rb = at::min(a.narrow(-1, 2, 2), b.narrow(-1, 2, 2));
  const at::Tensor wh = (rb - lt).clamp_min(0);
  const at::Tensor inter = wh.select(-1, 0) * wh.select(-1, 1);
  const at::Tensor uni = area_a + area_b - inter;
  const at::Tensor iou = inter / (uni + kEps);
  const at::Tensor hull_wh = at::max(a.narrow(-1, 2, 2), b.narrow(-1, 2, 2)) -
                             at::min(a.narrow(-1, 0, 2), b.narrow(-1, 0, 2));
  const at::Tensor hull = hull_wh.select(-1, 0) * hull_wh.select(-1, 1);
  return iou - (hull - uni) / (hull + kEps);
}

at::Tensor ClipToImage(const at::Tensor& boxes, int64_t height, int64_t width) {
  CheckBoxes(boxes, "boxes");
  TORCH_CHECK(height >= 0 && width >= 0, "image size must be non-negative, got ", height, "x",
              width);
  return at::stack({boxes.select(-1, 0).clamp(0, width), boxes.select(-1, 1).clamp(0, height),
                    boxes.select(-1, 2).clamp(0, width), boxes.select(-1, 3).clamp(0, height)},
                   -1);
}

}  // namespace stlab::detection
