// Weight-decay parameter groups by tensor dimension.
#include "core/engine/param_groups.h"

namespace stlab {

ParamGroups SplitForWeightDecay(const torch::nn::Module& module) {
  ParamGroups groups;
  for (const at::Tensor& p : module.parameters(/*recurse=*/true)) {
    if (!p.requires_grad()) continue;
    (p.dim() <= 1 ? groups.no_decay : groups.decay).push_back(p);
  }
  return groups;
}

}  // namespace stlab
