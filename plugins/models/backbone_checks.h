// Option checks every backbone shares: its scaling multipliers and its batch-norm
// settings.
#ifndef STLAB_PLUGINS_MODELS_BACKBONE_CHECKS_H_
#define STLAB_PLUGINS_MODELS_BACKBONE_CHECKS_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace stlab::models {

/// OK, or InvalidArgument naming the first of the parameters (by their config
/// names) that is out of range: multipliers > 0, momentum in [0, 1], epsilon > 0.
inline absl::Status CheckScalingAndNorm(double width_multiplier, double depth_multiplier,
                                        double bn_momentum, double bn_epsilon) {
  if (!(width_multiplier > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("width_multiplier must be > 0, got ", width_multiplier));
  }
  if (!(depth_multiplier > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("depth_multiplier must be > 0, got ", depth_multiplier));
  }
  if (!(bn_momentum >= 0 && bn_momentum <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bn_momentum must be in [0, 1], got ", bn_momentum));
  }
  if (!(bn_epsilon > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("bn_epsilon must be > 0, got ", bn_epsilon));
  }
  return absl::OkStatus();
}

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_BACKBONE_CHECKS_H_
