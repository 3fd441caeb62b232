// AutoAugment for detection (Zoph et al. 2019): per image, one sub-policy of a
// learned policy drawn uniformly, its ops applied in sequence, each with its
// probability.
#ifndef STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_H_
#define STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "core/augmentation.h"
#include "plugins/augment/autoaugment_policies.h"
#include "plugins/augment/detection_ops.h"

namespace stlab::augment {

/// Applies a Policy (see autoaugment_policies.h) to image, boxes and mask.
class AutoAugment : public Augmentation {
 public:
  /// `policy` non-empty, probabilities in [0, 1], levels in [0, 10]; `constants`
  /// as AutoAugmentConstants(), scaled to the image size.
  AutoAugment(Policy policy, PixelConstants constants)
      : policy_(std::move(policy)), constants_(constants) {}

  absl::Status Apply(Sample& sample, Rng& rng) const override;

  /// One draw: the sub-policy, then per step whether it runs and its sign.
  struct Plan {
    int64_t sub_policy = 0;
    /// One per step of the sub-policy, in order; empty where the step is skipped.
    std::vector<std::optional<OpCall>> steps;
  };
  Plan Draw(Rng& rng) const;

 private:
  Policy policy_;
  PixelConstants constants_;
};

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_H_
