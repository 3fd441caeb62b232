// Kaiming / constant / normal initialization driven by one seeded generator.
#include "plugins/init/random_initializer.h"

#include <cmath>

#include "ATen/ATen.h"
#include "ATen/CPUGeneratorImpl.h"
#include "absl/strings/str_cat.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/modules/linear.h"
#include "torch/nn/modules/normalization.h"
#include "torch/utils.h"

namespace stlab::init {
namespace {

void ResetNorm(at::Tensor& weight, at::Tensor& bias) {
  if (weight.defined()) weight.fill_(1.0);
  if (bias.defined()) bias.zero_();
}

}  // namespace

absl::Status RandomInitializer::Initialize(torch::nn::Module& module, uint64_t seed) const {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  // The root may live outside a shared_ptr, so it is visited by reference.
  std::vector<torch::nn::Module*> all = {&module};
  for (const std::shared_ptr<torch::nn::Module>& child : module.modules(/*include_self=*/false)) {
    all.push_back(child.get());
  }
  for (torch::nn::Module* m : all) {
    if (auto* conv = m->as<torch::nn::Conv2dImpl>()) {
      const at::Tensor& w = conv->weight;
      const int64_t receptive = w.size(2) * w.size(3);
      const int64_t fan = fan_mode_ == "fan_out" ? w.size(0) * receptive : w.size(1) * receptive;
      conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(fan)), generator);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) {
      ResetNorm(bn->weight, bn->bias);
      bn->reset_running_stats();
    } else if (auto* gn = m->as<torch::nn::GroupNormImpl>()) {
      ResetNorm(gn->weight, gn->bias);
    } else if (auto* linear = m->as<torch::nn::LinearImpl>()) {
      linear->weight.normal_(0.0, linear_std_, generator);
      if (linear->bias.defined()) linear->bias.zero_();
    }
  }
  return absl::OkStatus();
}

std::string RandomInitializer::Origin() const {
  return absl::StrCat("random (kaiming_normal ", fan_mode_, ", linear std ", linear_std_, ")");
}

}  // namespace stlab::init
