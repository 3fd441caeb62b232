// LossCombiner interface: how a student weighs human-label and pseudo-label losses.
#ifndef STLAB_CORE_LOSS_COMBINER_H_
#define STLAB_CORE_LOSS_COMBINER_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "ATen/core/Tensor.h"
#include "core/export.h"

namespace stlab {

/// Named scalars: a combiner's running state (checkpointed) and its log values.
using ScalarState = std::map<std::string, double>;

/// Combines the two losses of a self-training step. Stateful (running averages),
/// called once per step from the training thread.
class STLAB_API LossCombiner {
 public:
  virtual ~LossCombiner() = default;

  /// `human_loss` and `pseudo_loss` are scalar tensors with autograd history; the
  /// result is the scalar to back-propagate. Updates the running state.
  virtual at::Tensor Combine(const at::Tensor& human_loss, const at::Tensor& pseudo_loss) = 0;

  /// Running state, for checkpoints and logs (e.g. {"mean_human": .., "mean_pseudo": ..}).
  virtual ScalarState State() const = 0;

  /// Restores State() from a checkpoint; unknown or missing keys are an error.
  virtual absl::Status LoadState(const ScalarState& state) = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_LOSS_COMBINER_H_
