// WeightEma.
#include "core/engine/ema.h"

#include <algorithm>

#include "ATen/ATen.h"
#include "c10/util/Exception.h"
#include "torch/utils.h"

namespace stlab {
namespace {

template <typename Fn>
void ForEachState(const torch::nn::Module& model, Fn&& fn) {
  for (const auto& item : model.named_parameters(/*recurse=*/true)) fn(item.key(), item.value());
  for (const auto& item : model.named_buffers(/*recurse=*/true)) fn(item.key(), item.value());
}

}  // namespace

WeightEma::WeightEma(const torch::nn::Module& model, double decay) : decay_(decay) {
  torch::NoGradGuard no_grad;
  ForEachState(model, [&](const std::string& name, const at::Tensor& value) {
    averages_[name] = value.detach().clone();
  });
}

void WeightEma::Update(const torch::nn::Module& model, int64_t step) {
  torch::NoGradGuard no_grad;
  const double d = std::min(decay_, (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step)));
  ForEachState(model, [&](const std::string& name, const at::Tensor& value) {
    at::Tensor& average = averages_.at(name);
    if (average.is_floating_point()) {
      average.mul_(d).add_(value.detach(), 1.0 - d);
    } else {
      average.copy_(value);  // Counters (num_batches_tracked).
    }
  });
}

void WeightEma::CopyTo(torch::nn::Module& model) const {
  torch::NoGradGuard no_grad;
  ForEachState(model, [&](const std::string& name, const at::Tensor& value) {
    auto it = averages_.find(name);
    TORCH_CHECK(it != averages_.end(), "EMA has no average of ", name);
    const_cast<at::Tensor&>(value).copy_(it->second);
  });
}

void WeightEma::Restore(const std::map<std::string, at::Tensor>& averages) {
  for (auto& [name, average] : averages_) {
    auto it = averages.find(name);
    TORCH_CHECK(it != averages.end(), "checkpoint has no EMA average of ", name);
    TORCH_CHECK(it->second.sizes() == average.sizes(), "EMA average of ", name, " has shape ",
                it->second.sizes(), ", expected ", average.sizes());
    average.copy_(it->second);
  }
}

}  // namespace stlab
