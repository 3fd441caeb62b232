// Non-maximum suppression: the custom op stlab::nms (CPU kernel in nms.cc, CUDA kernel
// in nms_kernel.cu, both found through the dispatcher) and per-class NMS on top of it.
#ifndef STLAB_PLUGINS_DETECTION_NMS_H_
#define STLAB_PLUGINS_DETECTION_NMS_H_

#include "ATen/core/Tensor.h"

namespace stlab::detection {

/// The ops' schema names, as registered with the dispatcher: Nms and BatchedNms
/// (the latter so that code which cannot link this plugin, the core's teacher TTA,
/// finds per-class NMS by name).
inline constexpr char kNmsOpName[] = "stlab::nms";
inline constexpr char kBatchedNmsOpName[] = "stlab::batched_nms";

/// Greedy non-maximum suppression, with torchvision.ops.nms's semantics: visits boxes
/// by decreasing score and drops every later box whose IoU with a kept box is
/// strictly greater than `iou_threshold`. Equal scores are visited in index order.
/// `boxes` [N, 4] (x1, y1, x2, y2) and `scores` [N], same floating dtype and device.
/// Returns the kept indices, [K] int64 on the same device, by decreasing score.
/// Calls the stlab::nms op through the dispatcher; throws c10::Error on bad input.
at::Tensor Nms(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold);

/// NMS within each class: boxes of different `labels` ([N] integer) never suppress
/// each other. Same inputs and output as Nms. Shifts each class's boxes by
/// label * (coordinate span + 1) so classes cannot overlap, then runs one Nms.
at::Tensor BatchedNms(const at::Tensor& boxes, const at::Tensor& scores, const at::Tensor& labels,
                      double iou_threshold);

namespace internal {

/// TORCH_CHECKs the op's input contract; shared by the CPU and CUDA kernels.
void CheckNmsInputs(const at::Tensor& boxes, const at::Tensor& scores);

}  // namespace internal
}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_NMS_H_
