#include "core/ops/conv2d.h"

#include <tuple>
#include <variant>
#include <vector>

#include "ATen/core/grad_mode.h"
#include "ATen/record_function.h"
#include "ATen/ops/conv2d.h"
#include "ATen/ops/convolution_backward.h"
#include "core/ops/conv3x3_weight_grad.h"
#include "core/ops/winograd_conv.h"
#include "torch/csrc/autograd/custom_function.h"
#include "torch/csrc/autograd/grad_mode.h"

namespace stlab {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A Winograd forward, named for profiles (benchmarks count its FLOPs from the
// recorded shapes of the input and the weight).
at::Tensor WinogradForward(const at::Tensor& input, const at::Tensor& weight,
                           const at::Tensor& winograd_weights,
                           const std::optional<at::Tensor>& bias) {
  RECORD_FUNCTION(kWinogradConv2dEvent, std::vector<c10::IValue>({input, weight}));
  return WinogradConv3x3(input, winograd_weights, bias);
}

// A 3x3 same layer with autograd, each part by the algorithm Conv2dImpl picked:
// forward and input gradient by Winograd when `winograd_weights` are given (the
// input gradient of a 3x3, stride-1, padding-1 convolution is one with the kernel
// flipped and its channels swapped), else by oneDNN; the weight gradient by
// Conv3x3WeightGrad or by oneDNN. Results keep the input's memory layout.
class ThreeByThreeConvolution : public torch::autograd::Function<ThreeByThreeConvolution> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const at::Tensor& weight, const std::optional<at::Tensor>& bias,
                            const std::optional<at::Tensor>& winograd_weights,
                            const std::optional<at::Tensor>& input_grad_winograd_weights,
                            bool gemm_weight_grad) {
    ctx->save_for_backward(
        {input, weight, input_grad_winograd_weights.value_or(at::Tensor())});
    ctx->saved_data["has_bias"] = bias.has_value() && bias->defined();
    ctx->saved_data["gemm_weight_grad"] = gemm_weight_grad;
    if (!winograd_weights.has_value()) return at::conv2d(input, weight, bias, 1, 1);
    return WinogradForward(input, weight, *winograd_weights, bias)
        .contiguous(input.suggest_memory_format());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& input_grad_winograd_weights = saved[2];
    const at::MemoryFormat layout = input.suggest_memory_format();
    const at::Tensor grad = grads[0].contiguous(layout);
    const auto direct = [&](bool input_grad, bool weight_grad) {
      return at::convolution_backward(grad, input, weight, std::nullopt, /*stride=*/{1, 1},
                                      /*padding=*/{1, 1}, /*dilation=*/{1, 1},
                                      /*transposed=*/false, /*output_padding=*/{0, 0},
                                      /*groups=*/1, {input_grad, weight_grad, false});
    };
    at::Tensor grad_input;
    at::Tensor grad_weight;
    at::Tensor grad_bias;
    if (ctx->needs_input_grad(0)) {
      grad_input = input_grad_winograd_weights.defined()
                       ? WinogradConv3x3(grad, input_grad_winograd_weights, std::nullopt)
                             .contiguous(layout)
                       : std::get<0>(direct(true, false));
    }
    if (ctx->needs_input_grad(1)) {
      grad_weight = ctx->saved_data["gemm_weight_grad"].toBool()
                        ? Conv3x3WeightGrad(grad, input)
                        : std::get<1>(direct(false, true));
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) {
      grad_bias = grad.sum({0, 2, 3});
    }
    return {grad_input, grad_weight, grad_bias, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

bool Conv2dImpl::IsThreeByThreeSame(const at::Tensor& input) const {
  const auto& o = options;
  const auto* padding = std::get_if<torch::ExpandingArray<2>>(&o.padding());
  const bool same = std::holds_alternative<torch::enumtype::kSame>(o.padding());
  const bool pads_one = same || (padding != nullptr && (*padding)->at(0) == 1 &&
                                 (*padding)->at(1) == 1);
  const bool layer_fits =
      o.kernel_size()->at(0) == 3 && o.kernel_size()->at(1) == 3 && o.stride()->at(0) == 1 &&
      o.stride()->at(1) == 1 && o.dilation()->at(0) == 1 && o.dilation()->at(1) == 1 &&
      o.groups() == 1 && pads_one &&
      std::holds_alternative<torch::enumtype::kZeros>(o.padding_mode());
  return layer_fits && weight.is_cpu() && weight.scalar_type() == at::kFloat &&
         input.dim() == 4 && input.is_cpu() && input.scalar_type() == at::kFloat;
}

bool Conv2dImpl::TakesWinograd(const at::Tensor& input) const {
  return IsThreeByThreeSame(input) && options.in_channels() >= kWinogradMinChannels &&
         options.out_channels() >= kWinogradMinChannels &&
         input.size(2) >= kWinogradMinMapSize && input.size(3) >= kWinogradMinMapSize;
}

bool Conv2dImpl::TakesGemmWeightGrad(const at::Tensor& input) const {
  return IsThreeByThreeSame(input) && options.in_channels() >= kGemmWeightGradMinChannels &&
         input.suggest_memory_format() == at::MemoryFormat::ChannelsLast;
}

at::Tensor Conv2dImpl::forward(const at::Tensor& input) {
  const bool autograd = at::GradMode::is_enabled();
  const bool winograd = TakesWinograd(input);
  const bool gemm_weight_grad = autograd && weight.requires_grad() && TakesGemmWeightGrad(input);
  if (!winograd && !gemm_weight_grad) return torch::nn::Conv2dImpl::forward(input);
  const std::optional<at::Tensor> b =
      bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt;
  if (!winograd) {
    return ThreeByThreeConvolution::apply(input, weight, b, std::nullopt, std::nullopt,
                                          gemm_weight_grad);
  }
  RefreshWinogradWeights();
  if (!autograd) return WinogradForward(input, weight, forward_weights_, b);
  if (!input_grad_weights_.defined()) {
    input_grad_weights_ = WinogradWeights(weight.detach().flip({2, 3}).transpose(0, 1));
  }
  return ThreeByThreeConvolution::apply(input, weight, b, forward_weights_, input_grad_weights_,
                                        gemm_weight_grad);
}

void Conv2dImpl::RefreshWinogradWeights() {
  // NOTE: inference tensors have no version counter, so an in-place change would go
  // unseen: no cache for weights created under c10::InferenceMode.
  const bool cacheable = !weight.is_inference();
  const void* source = weight.const_data_ptr();
  const uint32_t version = cacheable ? weight._version() : 0;
  if (cacheable && forward_weights_.defined() && source == weights_source_ &&
      version == weights_version_) {
    return;
  }
  forward_weights_ = WinogradWeights(weight);
  input_grad_weights_ = at::Tensor();  // Computed when autograd first needs it.
  weights_source_ = cacheable ? source : nullptr;
  weights_version_ = version;
}

std::shared_ptr<torch::nn::Module> Conv2dImpl::clone(
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
  auto copy = std::make_shared<Conv2dImpl>(copied_options);
  auto copied = copy->named_parameters(/*recurse=*/false);
  for (const auto& parameter : named_parameters(/*recurse=*/false)) {
    const at::Tensor& value = parameter.value();
    copied[parameter.key()].set_data(device && value.device() != *device ? value.to(*device)
                                                                          : value.clone());
  }
  return copy;
}

}  // namespace stlab
