// Splitting a model's parameters for weight decay: conv and linear weights decay;
// biases and normalization parameters do not (the usual detection recipe).
#ifndef STLAB_CORE_ENGINE_PARAM_GROUPS_H_
#define STLAB_CORE_ENGINE_PARAM_GROUPS_H_

#include <vector>

#include "ATen/core/Tensor.h"
#include "core/export.h"
#include "torch/nn/module.h"

namespace stlab {

struct ParamGroups {
  std::vector<at::Tensor> decay;     ///< Trainable weights of dimension >= 2.
  std::vector<at::Tensor> no_decay;  ///< Trainable biases and norm scales (dimension 1).
};

/// Trainable parameters of `module` (requires_grad), in registration order, split
/// by dimension: 1-D tensors are biases or normalization parameters.
STLAB_API ParamGroups SplitForWeightDecay(const torch::nn::Module& module);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PARAM_GROUPS_H_
