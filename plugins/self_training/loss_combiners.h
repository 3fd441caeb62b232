// Loss combiners for self-training: plain weighted sum, and the paper's loss
// normalization (Zoph et al. 2020, Sec. 3.2).
#ifndef STLAB_PLUGINS_SELF_TRAINING_LOSS_COMBINERS_H_
#define STLAB_PLUGINS_SELF_TRAINING_LOSS_COMBINERS_H_

#include "core/loss_combiner.h"

namespace stlab::self_training {

/// L = L_h + alpha * L_p.
class SumCombiner : public LossCombiner {
 public:
  explicit SumCombiner(double alpha) : alpha_(alpha) {}
  at::Tensor Combine(const at::Tensor& human_loss, const at::Tensor& pseudo_loss) override;
  ScalarState State() const override { return {}; }
  absl::Status LoadState(const ScalarState& state) override;

 private:
  double alpha_;
};

/// L = L_h + alpha * (mean_h / mean_p) * L_p, where mean_h and mean_p are
/// exponential running averages of the detached losses:
///   mean <- decay * mean + (1 - decay) * loss,
/// started at the first step's values (so the first ratio is L_h / L_p). The ratio
/// is a constant for autograd: gradients flow only through L_h and L_p.
class LossNormalizationCombiner : public LossCombiner {
 public:
  LossNormalizationCombiner(double alpha, double decay, double epsilon)
      : alpha_(alpha), decay_(decay), epsilon_(epsilon) {}
  at::Tensor Combine(const at::Tensor& human_loss, const at::Tensor& pseudo_loss) override;
  ScalarState State() const override;
  absl::Status LoadState(const ScalarState& state) override;

 private:
  double alpha_;
  double decay_;
  double epsilon_;
  double mean_human_ = 0.0;
  double mean_pseudo_ = 0.0;
  int64_t steps_ = 0;
};

}  // namespace stlab::self_training

#endif  // STLAB_PLUGINS_SELF_TRAINING_LOSS_COMBINERS_H_
