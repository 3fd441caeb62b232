// Neck interface: multi-scale features in, multi-scale features out (FPN and kin).
#ifndef STLAB_CORE_NECK_H_
#define STLAB_CORE_NECK_H_

#include "core/export.h"
#include "core/features.h"
#include "torch/nn/module.h"

namespace stlab {

/// Constructed from the backbone's OutputSpecs() (the registry passes them as
/// NeckContext), so a neck never hard-codes channel counts.
class STLAB_API Neck : public torch::nn::Module {
 public:
  /// `inputs` holds every level named in the specs the neck was built with.
  virtual Features Forward(const Features& inputs) = 0;

  /// The levels Forward() returns, finest first.
  virtual const FeatureSpecs& OutputSpecs() const = 0;
};

/// What a neck is built from besides its parameters.
struct NeckContext {
  FeatureSpecs inputs;
};

}  // namespace stlab

#endif  // STLAB_CORE_NECK_H_
