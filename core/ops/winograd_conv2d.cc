#include "core/ops/winograd_conv2d.h"

#include <variant>

#include "ATen/core/grad_mode.h"
#include "core/ops/winograd_conv.h"
#include "torch/csrc/autograd/grad_mode.h"

namespace stlab {

bool WinogradConv2dImpl::TakesWinograd(const at::Tensor& input) const {
  if (at::GradMode::is_enabled()) return false;  // Autograd needs aten's convolution.
  const auto& o = options;
  const auto* padding = std::get_if<torch::ExpandingArray<2>>(&o.padding());
  const bool same = std::holds_alternative<torch::enumtype::kSame>(o.padding());
  const bool pads_one = same || (padding != nullptr && (*padding)->at(0) == 1 &&
                                 (*padding)->at(1) == 1);
  const bool layer_fits =
      o.kernel_size()->at(0) == 3 && o.kernel_size()->at(1) == 3 && o.stride()->at(0) == 1 &&
      o.stride()->at(1) == 1 && o.dilation()->at(0) == 1 && o.dilation()->at(1) == 1 &&
      o.groups() == 1 && pads_one &&
      std::holds_alternative<torch::enumtype::kZeros>(o.padding_mode()) &&
      o.in_channels() >= kWinogradMinChannels && o.out_channels() >= kWinogradMinChannels;
  return layer_fits && weight.is_cpu() && weight.scalar_type() == at::kFloat &&
         input.dim() == 4 && input.is_cpu() && input.scalar_type() == at::kFloat &&
         input.size(2) >= kWinogradMinMapSize && input.size(3) >= kWinogradMinMapSize;
}

at::Tensor WinogradConv2dImpl::forward(const at::Tensor& input) {
  if (!TakesWinograd(input)) return torch::nn::Conv2dImpl::forward(input);
  return WinogradConv3x3(input, CurrentWinogradWeights(),
                         bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt);
}

const at::Tensor& WinogradConv2dImpl::CurrentWinogradWeights() {
  if (weight.is_inference()) {
    // NOTE: inference tensors have no version counter, so an in-place change would
    // go unseen: no cache for weights created under c10::InferenceMode.
    winograd_source_ = nullptr;
    return winograd_weights_ = WinogradWeights(weight);
  }
  const void* source = weight.const_data_ptr();
  const uint32_t version = weight._version();
  if (!winograd_weights_.defined() || source != winograd_source_ ||
      version != winograd_version_) {
    winograd_weights_ = WinogradWeights(weight);
    winograd_source_ = source;
    winograd_version_ = version;
  }
  return winograd_weights_;
}

std::shared_ptr<torch::nn::Module> WinogradConv2dImpl::clone(
    const std::optional<at::Device>& device) const {
  torch::NoGradGuard no_grad;
  const torch::nn::Conv2dOptions copied_options =
      torch::nn::Conv2dOptions(options.in_channels(), options.out_channels(),
                               options.kernel_size())
          .stride(options.stride())
          .padding(options.padding())
          .dilation(options.dilation())
          .groups(options.groups())
          .bias(options.bias())
          .padding_mode(options.padding_mode());
  auto copy = std::make_shared<WinogradConv2dImpl>(copied_options);
  auto copied = copy->named_parameters(/*recurse=*/false);
  for (const auto& parameter : named_parameters(/*recurse=*/false)) {
    const at::Tensor& value = parameter.value();
    copied[parameter.key()].set_data(device && value.device() != *device ? value.to(*device)
                                                                          : value.clone());
  }
  return copy;
}

}  // namespace stlab
