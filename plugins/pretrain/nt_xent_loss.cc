// NT-Xent as a cross entropy over each anchor's similarities to the other 2N - 1 rows.
#include "plugins/pretrain/nt_xent_loss.h"

#include <limits>

#include "ATen/ATen.h"
#include "c10/util/Exception.h"

namespace stlab::pretrain {

at::Tensor NtXentLoss(const at::Tensor& embeddings, double temperature) {
  TORCH_CHECK(embeddings.dim() == 2 && embeddings.size(0) >= 2 && embeddings.size(0) % 2 == 0,
              "NtXentLoss: embeddings must be [2N, D] with N >= 1, got ", embeddings.sizes());
  TORCH_CHECK(temperature > 0.0, "NtXentLoss: temperature must be > 0, got ", temperature);
  const int64_t n = embeddings.size(0) / 2;
  const at::Tensor z = embeddings / embeddings.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
  const at::Tensor self = at::eye(2 * n, z.options().dtype(at::kBool));
  // An anchor is never its own candidate: its logit is -inf, its softmax weight 0.
  const at::Tensor logits = (z.mm(z.t()) / temperature)
                                .masked_fill(self, -std::numeric_limits<double>::infinity());
  const at::Tensor first = at::arange(n, z.options().dtype(at::kLong));
  const at::Tensor positives = at::cat({first + n, first});
  return at::cross_entropy_loss(logits, positives);
}

}  // namespace stlab::pretrain
