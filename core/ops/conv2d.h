// stlab::Conv2d: a torch::nn::Conv2d that picks, per layer shape, a faster CPU
// algorithm than LibTorch's where one is measured to be (core/ops/conv_benchmark.cc):
// Winograd F(4x4, 3x3) for wide 3x3 layers, and a GEMM weight gradient where oneDNN's
// is slow. Every model in plugins/ builds its convolutions with it.
#ifndef STLAB_CORE_OPS_CONV2D_H_
#define STLAB_CORE_OPS_CONV2D_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "ATen/core/Tensor.h"
#include "torch/nn/modules/conv.h"

namespace stlab {

/// Below these sizes the direct convolution is as fast as Winograd: thin layers are
/// bound by memory and small maps waste most of each 4x4 tile.
inline constexpr int64_t kWinogradMinChannels = 128;
inline constexpr int64_t kWinogradMinMapSize = 8;

/// The weight gradient of a channels-last layer is Conv3x3WeightGrad (GEMMs over
/// patches) from this many input channels, on maps of any size; thinner layers keep
/// oneDNN's kernel, which is faster there. In the contiguous layout oneDNN's kernel is
/// as fast or faster on most shapes (a one-off comparison with a per-image
/// at::im2col GEMM found it clearly slower only at 512 channels on 8x8 maps), so
/// contiguous layers keep it too.
inline constexpr int64_t kGemmWeightGradMinChannels = 64;

/// The profiler event of a Winograd layer's forward, recorded with the shapes of its
/// input and weight (what aten::conv2d is for the direct convolution).
inline constexpr char kWinogradConv2dEvent[] = "stlab::winograd_conv2d";

/// torch::nn::Conv2d with the same options, parameters, names and checkpoints (and
/// `as<torch::nn::Conv2dImpl>()` finds it). A 3x3 layer with stride 1, padding 1,
/// dilation 1, one group and float weights on the CPU ("a 3x3 same layer") takes:
/// - Winograd (WinogradConv3x3) for its forward and input gradient when it has at
///   least kWinogradMinChannels input and output channels and a map of at least
///   kWinogradMinMapSize on both sides;
/// - Conv3x3WeightGrad for its weight gradient when its input is channels-last and
///   has at least kGemmWeightGradMinChannels channels.
/// Everything else is torch::nn::Conv2d's forward and LibTorch's gradients (no double
/// backward through the faster paths). Results agree with the direct convolution to
/// float rounding (about 1e-5 of the output's scale for Winograd), not bitwise, and
/// repeat for a seed and thread count.
///
/// The Winograd weights are cached and recomputed when the weight's storage or
/// version changes (optimizer steps, checkpoint loads, `to()`): once per training
/// step, shared by every pyramid level a head applies the layer to. forward is
/// therefore not safe to call from two threads at once on one module.
class Conv2dImpl : public torch::nn::Conv2dImpl {
 public:
  using torch::nn::Conv2dImpl::Conv2dImpl;

  at::Tensor forward(const at::Tensor& input);

  /// Whether forward(input) convolves by Winograd.
  bool TakesWinograd(const at::Tensor& input) const;
  /// Whether backward through forward(input) computes the weight gradient by
  /// Conv3x3WeightGrad (given that autograd asks for it).
  bool TakesGemmWeightGrad(const at::Tensor& input) const;

  /// A copy with this module's options and parameter values (and type).
  std::shared_ptr<torch::nn::Module> clone(
      const std::optional<at::Device>& device = std::nullopt) const override;

 private:
  bool IsThreeByThreeSame(const at::Tensor& input) const;
  void RefreshWinogradWeights();

  at::Tensor forward_weights_;     // WinogradWeights(weight)
  at::Tensor input_grad_weights_;  // of the flipped, channel-swapped weight, or undefined
  const void* weights_source_ = nullptr;  // weight's data when they were computed
  uint32_t weights_version_ = 0;          // and its version counter then
};
TORCH_MODULE(Conv2d);

}  // namespace stlab

#endif  // STLAB_CORE_OPS_CONV2D_H_
