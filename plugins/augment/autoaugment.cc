// AutoAugment: draw a sub-policy and its steps, then apply the steps in order.
#include "plugins/augment/autoaugment.h"

#include "core/status.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

AutoAugment::Plan AutoAugment::Draw(Rng& rng) const {
  Plan plan;
  plan.sub_policy = rng.UniformInt(0, static_cast<int64_t>(policy_.size()) - 1);
  for (const PolicyStep& step : policy_[static_cast<size_t>(plan.sub_policy)]) {
    OpCall call{step.op};
    plan.steps.push_back(DrawCall(step, constants_, rng, call) ? std::optional<OpCall>(call)
                                                               : std::nullopt);
  }
  return plan;
}

absl::Status AutoAugment::Apply(Sample& sample, Rng& rng) const {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "autoaugment"));
  for (const std::optional<OpCall>& call : Draw(rng).steps) {
    if (call) ApplyCall(sample, *call, rng);
  }
  return absl::OkStatus();
}

}  // namespace stlab::augment
