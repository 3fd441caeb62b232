// The contrastive loss of SimCLR (Chen et al. 2020): NT-Xent, the normalized
// temperature-scaled cross entropy over the two augmented views of every image.
#ifndef STLAB_PLUGINS_PRETRAIN_NT_XENT_LOSS_H_
#define STLAB_PLUGINS_PRETRAIN_NT_XENT_LOSS_H_

#include "ATen/core/Tensor.h"

namespace stlab::pretrain {

/// NT-Xent of `embeddings` [2N, D] (N >= 1), where rows i and i + N are the two
/// views of image i. Rows are L2-normalized here, so s(i, k) is a cosine
/// similarity; the loss is the mean over the 2N anchors i of
///   -log( exp(s(i, p(i)) / t) / sum_{k != i} exp(s(i, k) / t) ),
/// p(i) being the other view of i's image and t = `temperature` > 0. Returns a
/// differentiable scalar.
at::Tensor NtXentLoss(const at::Tensor& embeddings, double temperature);

}  // namespace stlab::pretrain

#endif  // STLAB_PLUGINS_PRETRAIN_NT_XENT_LOSS_H_
