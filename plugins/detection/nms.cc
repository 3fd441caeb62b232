// The stlab::nms op: schema, CPU kernel, and the C++ entry points that call it
// through the dispatcher (so a CUDA tensor reaches nms_kernel.cu's kernel).
#include "plugins/detection/nms.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ATen/ATen.h"
#include "ATen/Dispatch.h"
#include "ATen/OpMathType.h"
#include "ATen/core/dispatch/Dispatcher.h"
#include "torch/library.h"

namespace stlab::detection {
namespace internal {

void CheckNmsInputs(const at::Tensor& boxes, const at::Tensor& scores) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, "nms: boxes must be [N, 4], got ",
              boxes.sizes());
  TORCH_CHECK(scores.dim() == 1, "nms: scores must be [N], got ", scores.sizes());
  TORCH_CHECK(boxes.size(0) == scores.size(0), "nms: ", boxes.size(0), " boxes but ",
              scores.size(0), " scores");
  TORCH_CHECK(boxes.scalar_type() == scores.scalar_type(),
              "nms: boxes and scores must have the same dtype, got ", boxes.scalar_type(), " and ",
              scores.scalar_type());
  TORCH_CHECK(at::isFloatingType(boxes.scalar_type()), "nms: boxes must be floating, got ",
              boxes.scalar_type());
  TORCH_CHECK(boxes.device() == scores.device(), "nms: boxes on ", boxes.device(),
              " but scores on ", scores.device());
}

}  // namespace internal

namespace {

// The largest Acc value t' <= threshold, so that for any Acc iou, iou > t' exactly when
// iou > threshold compared in double: the comparison stays in Acc (and vectorizes).
template <typename Acc>
Acc ThresholdInAcc(double threshold) {
  Acc t = static_cast<Acc>(threshold);
  if (static_cast<double>(t) > threshold) {
    t = std::nextafter(t, -std::numeric_limits<Acc>::infinity());
  }
  return t;
}

template <typename T>
at::Tensor NmsCpuTyped(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  using Acc = at::opmath_type<T>;
  const int64_t n = boxes.size(0);
  // NOTE: a stable sort, so equal scores keep index order on CPU and CUDA alike.
  const at::Tensor order = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0,
                                                   /*descending=*/true));
  const at::Tensor sorted = boxes.index_select(0, order).contiguous();
  const T* box = sorted.data_ptr<T>();
  // Coordinates in score order, one array each, so the inner loop below is a
  // branch-free pass over contiguous memory.
  std::vector<Acc> x1(n), y1(n), x2(n), y2(n), area(n);
  for (int64_t i = 0; i < n; ++i) {
    x1[i] = static_cast<Acc>(box[4 * i]);
    y1[i] = static_cast<Acc>(box[4 * i + 1]);
    x2[i] = static_cast<Acc>(box[4 * i + 2]);
    y2[i] = static_cast<Acc>(box[4 * i + 3]);
    area[i] = (x2[i] - x1[i]) * (y2[i] - y1[i]);
  }
  const Acc threshold = ThresholdInAcc<Acc>(iou_threshold);
  const int64_t* ord = order.data_ptr<int64_t>();
  std::vector<uint8_t> removed(n, 0);
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < n; ++i) {
    if (removed[i]) continue;
    keep.push_back(ord[i]);
    for (int64_t j = i + 1; j < n; ++j) {
      const Acc w = std::max(Acc(0), std::min(x2[i], x2[j]) - std::max(x1[i], x1[j]));
      const Acc h = std::max(Acc(0), std::min(y2[i], y2[j]) - std::max(y1[i], y1[j]));
      const Acc inter = w * h;
      removed[j] |= static_cast<uint8_t>(inter / (area[i] + area[j] - inter) > threshold);
    }
  }
  return at::tensor(keep, boxes.options().dtype(at::kLong));
}

at::Tensor NmsCpu(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  if (boxes.size(0) == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  at::Tensor keep;
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, boxes.scalar_type(), "stlab_nms_cpu",
      [&] { keep = NmsCpuTyped<scalar_t>(boxes, scores, iou_threshold); });
  return keep;
}

}  // namespace

// NOTE: a fragment rather than TORCH_LIBRARY: the stlab namespace is shared by every
// plugin that adds ops, and TORCH_LIBRARY would claim it for this library alone.
TORCH_LIBRARY_FRAGMENT(stlab, m) {
  m.def("nms(Tensor boxes, Tensor scores, float iou_threshold) -> Tensor");
  // Composite (built from stlab::nms), so one definition serves every device.
  m.def("batched_nms(Tensor boxes, Tensor scores, Tensor labels, float iou_threshold) -> Tensor",
        &BatchedNms);
}

TORCH_LIBRARY_IMPL(stlab, CPU, m) { m.impl("nms", TORCH_FN(NmsCpu)); }

at::Tensor Nms(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  static const auto op = c10::Dispatcher::singleton()
                             .findSchemaOrThrow(kNmsOpName, "")
                             .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double)>();
  return op.call(boxes, scores, iou_threshold);
}

at::Tensor BatchedNms(const at::Tensor& boxes, const at::Tensor& scores, const at::Tensor& labels,
                      double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == boxes.size(0), "batched nms: labels must be [",
              boxes.size(0), "], got ", labels.sizes());
  TORCH_CHECK(at::isIntegralType(labels.scalar_type(), /*includeBool=*/false),
              "batched nms: labels must be integer, got ", labels.scalar_type());
  if (boxes.size(0) == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  // NOTE: the span is max - min rather than torchvision's max alone, so that boxes
  // with negative coordinates cannot reach into the next class's range either.
  const at::Tensor span = boxes.max() - boxes.min() + 1;
  const at::Tensor offsets = labels.to(boxes.scalar_type()) * span;
  return Nms(boxes + offsets.unsqueeze(1), scores, iou_threshold);
}

}  // namespace stlab::detection
