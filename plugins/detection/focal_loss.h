// Sigmoid focal loss (Lin et al. 2017), RetinaNet's classification loss.
#ifndef STLAB_PLUGINS_DETECTION_FOCAL_LOSS_H_
#define STLAB_PLUGINS_DETECTION_FOCAL_LOSS_H_

#include "ATen/core/Tensor.h"

namespace stlab::detection {

/// Sum over all elements of alpha_t * |t - p|^gamma * BCE(logits, targets), with
/// p = sigmoid(logits) and alpha_t = alpha * t + (1 - alpha) * (1 - t); a negative
/// `alpha` disables the alpha weighting (as in torchvision). For targets t in {0, 1}
/// |t - p| is Lin et al.'s 1 - p_t; for soft targets (a teacher's scores) it is the
/// modulation of Quality Focal Loss (Li et al. 2020), which vanishes where p = t, as
/// the loss's minimum does. `logits` and `targets` have one shape (e.g. [A, C],
/// one-hot targets per anchor) and one floating dtype; targets are in [0, 1]. Returns a scalar of that
/// dtype, differentiable with respect to `logits`. The cross-entropy is computed from
/// the logits (log-sum-exp form), so large |logits| give finite values and gradients.
/// Callers normalise it (RetinaNet divides by the number of positive anchors).
at::Tensor SigmoidFocalLoss(const at::Tensor& logits, const at::Tensor& targets,
                            double alpha = 0.25, double gamma = 2.0);

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_FOCAL_LOSS_H_
