// Sum and loss-normalization combiners.
#include "plugins/self_training/loss_combiners.h"

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace stlab::self_training {
namespace {

absl::Status CheckKeys(const ScalarState& state, const std::vector<std::string>& expected,
                       const char* combiner) {
  std::vector<std::string> got;
  for (const auto& [key, value] : state) got.push_back(key);
  if (got != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        combiner, ": checkpoint state has keys {", absl::StrJoin(got, ", "), "}, expected {",
        absl::StrJoin(expected, ", "), "}"));
  }
  return absl::OkStatus();
}

}  // namespace

at::Tensor SumCombiner::Combine(const at::Tensor& human_loss, const at::Tensor& pseudo_loss) {
  return human_loss + alpha_ * pseudo_loss;
}

absl::Status SumCombiner::LoadState(const ScalarState& state) {
  return CheckKeys(state, {}, "sum");
}

at::Tensor LossNormalizationCombiner::Combine(const at::Tensor& human_loss,
                                              const at::Tensor& pseudo_loss) {
  const double human = human_loss.detach().item<double>();
  const double pseudo = pseudo_loss.detach().item<double>();
  if (steps_ == 0) {
    mean_human_ = human;
    mean_pseudo_ = pseudo;
  } else {
    mean_human_ = decay_ * mean_human_ + (1.0 - decay_) * human;
    mean_pseudo_ = decay_ * mean_pseudo_ + (1.0 - decay_) * pseudo;
  }
  ++steps_;
  const double ratio = mean_human_ / (mean_pseudo_ + epsilon_);
  return human_loss + (alpha_ * ratio) * pseudo_loss;
}

ScalarState LossNormalizationCombiner::State() const {
  return {{"mean_human", mean_human_},
          {"mean_pseudo", mean_pseudo_},
          {"steps", static_cast<double>(steps_)}};
}

absl::Status LossNormalizationCombiner::LoadState(const ScalarState& state) {
  if (absl::Status s = CheckKeys(state, {"mean_human", "mean_pseudo", "steps"},
                                 "loss_normalization");
      !s.ok()) {
    return s;
  }
  mean_human_ = state.at("mean_human");
  mean_pseudo_ = state.at("mean_pseudo");
  steps_ = static_cast<int64_t>(state.at("steps"));
  return absl::OkStatus();
}

}  // namespace stlab::self_training
