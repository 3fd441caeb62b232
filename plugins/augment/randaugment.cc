// RandAugment: draw N (op, run?, sign) triples, then apply the ops that run in order.
#include "plugins/augment/randaugment.h"

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

absl::Status Validate(const RandAugmentOptions& options) {
  if (options.num_ops < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_ops must be >= 0, got ", options.num_ops));
  }
  if (!(options.magnitude >= 0 && options.magnitude <= kMaxLevel)) {
    return absl::InvalidArgumentError(
        absl::StrCat("magnitude must be in [0, ", kMaxLevel, "], got ", options.magnitude));
  }
  if (!(options.probability >= 0 && options.probability <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability must be in [0, 1], got ", options.probability));
  }
  return absl::OkStatus();
}

std::vector<OpCall> RandAugment::Draw(Rng& rng) const {
  std::vector<OpCall> calls;
  for (int64_t i = 0; i < options_.num_ops; ++i) {
    const Op op = ops_[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(ops_.size()) - 1))];
    OpCall call{op};
    if (DrawCall({op, options_.probability, options_.magnitude}, options_.constants, rng, call)) {
      calls.push_back(call);
    }
  }
  return calls;
}

absl::Status RandAugment::Apply(Sample& sample, Rng& rng) const {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "randaugment"));
  for (const OpCall& call : Draw(rng)) ApplyCall(sample, call, rng);
  return absl::OkStatus();
}

}  // namespace stlab::augment
