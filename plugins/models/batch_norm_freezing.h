// Frozen batch norms for backbones (`freeze_bn`): statistics and affine parameters
// stay as loaded, the usual setting when fine-tuning a pre-trained backbone with
// small per-device batches.
#ifndef STLAB_PLUGINS_MODELS_BATCH_NORM_FREEZING_H_
#define STLAB_PLUGINS_MODELS_BATCH_NORM_FREEZING_H_

#include "torch/nn/module.h"
#include "torch/nn/modules/batchnorm.h"

namespace stlab::models {

/// Stops gradients to every BatchNorm2d's weight and bias below `module`.
inline void FreezeBatchNormParameters(torch::nn::Module& module) {
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (child->as<torch::nn::BatchNorm2d>() == nullptr) continue;
    for (auto& p : child->parameters(/*recurse=*/false)) p.set_requires_grad(false);
  }
}

/// Puts every BatchNorm2d below `module` in eval mode (running statistics used and
/// kept); call after Module::train() in an override of train().
inline void KeepBatchNormsInEvalMode(torch::nn::Module& module) {
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (child->as<torch::nn::BatchNorm2d>() != nullptr) child->eval();
  }
}

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_BATCH_NORM_FREEZING_H_
