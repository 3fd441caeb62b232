// The optimizer and learning-rate schedule of a config's [train] section, shared by
// every loop that trains (supervised training, pre-training).
#ifndef STLAB_CORE_ENGINE_OPTIMIZATION_H_
#define STLAB_CORE_ENGINE_OPTIMIZATION_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/engine/lr_schedule.h"
#include "core/export.h"
#include "registry/param.h"
#include "torch/nn/module.h"
#include "torch/optim/optimizer.h"

namespace stlab {

/// SGD (momentum, Nesterov) or AdamW over `model`'s trainable parameters, as
/// train.optimizer says; weight decay only on weights (SplitForWeightDecay).
STLAB_API std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const Params& train,
                                                                 const torch::nn::Module& model);

/// The learning-rate schedule of [train], validated.
STLAB_API absl::StatusOr<LrScheduleOptions> ScheduleOf(const Params& train);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_OPTIMIZATION_H_
