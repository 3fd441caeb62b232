// RandAugment for detection (Cubuk et al. 2019): per image, N ops drawn uniformly
// with replacement from RandAugmentOps(), each at the same magnitude M.
#ifndef STLAB_PLUGINS_AUGMENT_RANDAUGMENT_H_
#define STLAB_PLUGINS_AUGMENT_RANDAUGMENT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "core/augmentation.h"
#include "plugins/augment/autoaugment_policies.h"
#include "plugins/augment/detection_ops.h"

namespace stlab::augment {

struct RandAugmentOptions {
  /// N. The RandAugment paper's detection runs and "Rethinking" use 1-3; 2 is the
  /// paper's usual choice.
  int64_t num_ops = 2;
  /// M in [0, 10] (the level of every op). "Rethinking" uses 10 for its strongest
  /// augmentation (Aug-S4).
  double magnitude = 10.0;
  /// Chance that each drawn op runs (TF Model Garden's prob_to_apply; 1 = always).
  double probability = 1.0;
  /// RandAugmentConstants(), scaled to the image size.
  PixelConstants constants = RandAugmentConstants();
};

/// Checks num_ops >= 0, magnitude in [0, 10], probability in [0, 1].
absl::Status Validate(const RandAugmentOptions& options);

class RandAugment : public Augmentation {
 public:
  /// `options` must pass Validate(); `ops` non-empty.
  explicit RandAugment(RandAugmentOptions options, std::vector<Op> ops = RandAugmentOps())
      : options_(options), ops_(std::move(ops)) {}

  absl::Status Apply(Sample& sample, Rng& rng) const override;

  /// Draws, num_ops times: the op, whether it runs, its sign. Returns the ops that run.
  std::vector<OpCall> Draw(Rng& rng) const;

 private:
  RandAugmentOptions options_;
  std::vector<Op> ops_;
};

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_RANDAUGMENT_H_
