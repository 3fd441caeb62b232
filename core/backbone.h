// Backbone interface: images in, named multi-scale features out.
#ifndef STLAB_CORE_BACKBONE_H_
#define STLAB_CORE_BACKBONE_H_

#include "core/export.h"
#include "core/features.h"
#include "torch/nn/module.h"

namespace stlab {

/// A feature extractor (ResNet, EfficientNet, ...).
///
/// NOTE: interfaces derive from torch::nn::Module directly rather than from
/// torch::nn::Cloneable, which would make every implementation inherit Module twice.
/// Copies (teachers, EMA) are made by building a second instance from the same
/// config and copying parameters and buffers, which works for any plugin.
class STLAB_API Backbone : public torch::nn::Module {
 public:
  /// `images`: [N, 3, H, W] float32, normalised, H and W multiples of the largest
  /// output stride. Returns one map per OutputSpecs() entry, shaped as documented
  /// in core/features.h.
  virtual Features Forward(const at::Tensor& images) = 0;

  /// The levels Forward() returns, finest first. Fixed at construction.
  virtual const FeatureSpecs& OutputSpecs() const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_BACKBONE_H_
