// Sigmoid focal loss from ATen's binary_cross_entropy_with_logits (stable form
// max(x, 0) - x * t + log(1 + exp(-|x|))), modulated and weighted elementwise.
#include "plugins/detection/focal_loss.h"

#include "ATen/ATen.h"

namespace stlab::detection {

at::Tensor SigmoidFocalLoss(const at::Tensor& logits, const at::Tensor& targets, double alpha,
                            double gamma) {
  TORCH_CHECK(logits.defined() && targets.defined(), "focal loss: undefined input");
  TORCH_CHECK(logits.sizes() == targets.sizes(), "focal loss: logits ", logits.sizes(),
              " but targets ", targets.sizes());
  TORCH_CHECK(
      at::isFloatingType(logits.scalar_type()) && logits.scalar_type() == targets.scalar_type(),
      "focal loss: logits and targets must share a floating dtype, got ", logits.scalar_type(),
      " and ", targets.scalar_type());
  TORCH_CHECK(gamma >= 0, "focal loss: gamma must be >= 0, got ", gamma);
  const at::Tensor ce =
      at::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::None);
  const at::Tensor p = at::sigmoid(logits);
  at::Tensor loss = ce * at::pow((targets - p).abs(), gamma);
  if (alpha >= 0) loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss;
  return loss.sum();
}

}  // namespace stlab::detection
