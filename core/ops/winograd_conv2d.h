// A torch::nn::Conv2d that takes Winograd F(4x4, 3x3) where that is faster.
#ifndef STLAB_CORE_OPS_WINOGRAD_CONV2D_H_
#define STLAB_CORE_OPS_WINOGRAD_CONV2D_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "ATen/core/Tensor.h"
#include "torch/nn/modules/conv.h"

namespace stlab {

/// Below these sizes the direct convolution is as fast (core/ops/winograd_conv_benchmark.cc):
/// thin layers are bound by memory and small maps waste most of each 4x4 tile.
inline constexpr int64_t kWinogradMinChannels = 128;
inline constexpr int64_t kWinogradMinMapSize = 8;

/// The profiler event of a Winograd layer's forward, recorded with the shapes of its
/// input and weight (what aten::conv2d is for the direct convolution).
inline constexpr char kWinogradConv2dEvent[] = "stlab::winograd_conv2d";

/// torch::nn::Conv2d with the same options, parameters, names and checkpoints (and
/// `as<torch::nn::Conv2dImpl>()` finds it) that convolves on the CPU by
/// WinogradConv3x3 when the layer is 3x3, stride 1, padding 1, dilation 1, one group,
/// float, with at least kWinogradMinChannels input and output channels and a map of
/// at least kWinogradMinMapSize on both sides; otherwise it is torch::nn::Conv2d's
/// forward. With autograd, the input gradient is Winograd too and the weight gradient
/// LibTorch's (no double backward). Results agree with the direct convolution to
/// float rounding (about 1e-5 of the output's scale), not bitwise.
///
/// The Winograd weights are cached and recomputed when the weight's storage or
/// version changes (optimizer steps, checkpoint loads, `to()`): once per training
/// step, shared by every pyramid level a head applies the layer to. forward is
/// therefore not safe to call from two threads at once on one module.
class WinogradConv2dImpl : public torch::nn::Conv2dImpl {
 public:
  using torch::nn::Conv2dImpl::Conv2dImpl;

  at::Tensor forward(const at::Tensor& input);

  /// Whether forward(input) takes the Winograd path.
  bool TakesWinograd(const at::Tensor& input) const;

  /// A copy with this module's options and parameter values (and type).
  std::shared_ptr<torch::nn::Module> clone(
      const std::optional<at::Device>& device = std::nullopt) const override;

 private:
  void RefreshWinogradWeights();

  at::Tensor forward_weights_;     // WinogradWeights(weight)
  at::Tensor input_grad_weights_;  // of the flipped, channel-swapped weight, or undefined
  const void* weights_source_ = nullptr;  // weight's data when they were computed
  uint32_t weights_version_ = 0;          // and its version counter then
};
TORCH_MODULE(WinogradConv2d);

}  // namespace stlab

#endif  // STLAB_CORE_OPS_WINOGRAD_CONV2D_H_
