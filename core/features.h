// Named multi-scale feature maps and their declared shapes, the currency between
// backbones, necks and heads (Detectron2's ShapeSpec idea): consumers wire themselves
// from the declared channels and strides, never from hard-coded numbers.
#ifndef STLAB_CORE_FEATURES_H_
#define STLAB_CORE_FEATURES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ATen/core/Tensor.h"

namespace stlab {

/// Shape of one feature level: `channels` maps at 1/`stride` of the input size.
struct FeatureSpec {
  std::string name;  ///< e.g. "c3", "p4"; level = log2(stride).
  int64_t channels = 0;
  int64_t stride = 0;
};

/// Feature levels ordered from finest (smallest stride) to coarsest.
using FeatureSpecs = std::vector<FeatureSpec>;

/// Feature maps by level name. For input [N, 3, H, W] a level of stride s has shape
/// [N, channels, ceil(H / s), ceil(W / s)]; inputs are padded so H and W are
/// multiples of the largest stride.
using Features = std::map<std::string, at::Tensor>;

}  // namespace stlab

#endif  // STLAB_CORE_FEATURES_H_
