// EfficientNet B0-B7 backbones (Tan & Le 2019): MBConv stages with squeeze-excitation
// and stochastic depth, scaled by the variant's compound width and depth coefficients,
// with extra width and depth multipliers on top for tiny variants.
//
// Parameter and buffer names follow torchvision's efficientnet_b<k> exactly for
// features.0 (stem) to features.7 (last MBConv stage): features.0.0.weight,
// features.2.1.block.2.fc1.bias, features.7.0.block.3.1.running_var, ...
// NOTE: torchvision's features.8 (a 1x1 convolution to 4x the channels, feeding its
// classifier) and classifier are left out: detectors read the stage outputs, and
// EfficientDet's c5 is the last MBConv stage (320 channels in B0), not that head.
// torchvision weights load with the identity key map after dropping features.8.* and
// classifier.*.
#ifndef STLAB_PLUGINS_MODELS_EFFICIENTNET_H_
#define STLAB_PLUGINS_MODELS_EFFICIENTNET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/backbone.h"
#include "torch/arg.h"
#include "torch/nn/cloneable.h"
#include "torch/nn/modules/container/modulelist.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/pimpl.h"

namespace stlab::models {

/// Batch-norm settings shared by every norm of an EfficientNet.
/// NOTE: the defaults are the reference TensorFlow implementation's (momentum 0.99 in
/// TF's convention, epsilon 1e-3), which the paper's EfficientNet-B7 detectors used
/// and torchvision uses for B5-B7. torchvision's B0-B4 use PyTorch's defaults (0.1,
/// 1e-5): set epsilon 1e-5 to reproduce their ported weights' outputs exactly.
struct EfficientNetNormOptions {
  /// PyTorch convention: running = (1 - momentum) * running + momentum * batch.
  TORCH_ARG(double, momentum) = 0.01;
  TORCH_ARG(double, epsilon) = 1e-3;
};

/// Options of squeeze-excitation on `channels` maps through `squeeze_channels`.
struct SqueezeExcitationOptions {
  SqueezeExcitationOptions(int64_t channels, int64_t squeeze_channels)
      : channels_(channels), squeeze_channels_(squeeze_channels) {}
  TORCH_ARG(int64_t, channels);
  TORCH_ARG(int64_t, squeeze_channels);
};

/// Rescales each channel by sigmoid(fc2(silu(fc1(global average)))). Submodules fc1,
/// fc2: 1x1 convolutions with bias, as in torchvision's SqueezeExcitation.
class SqueezeExcitationImpl : public torch::nn::Cloneable<SqueezeExcitationImpl> {
 public:
  explicit SqueezeExcitationImpl(SqueezeExcitationOptions options);
  void reset() override;
  at::Tensor forward(const at::Tensor& x);

  SqueezeExcitationOptions options;
  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

/// Options of one MBConv block (inverted residual with squeeze-excitation).
struct MBConvOptions {
  MBConvOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// The depthwise convolution runs on MakeDivisible(in_channels * expand_ratio) maps.
  TORCH_ARG(int64_t, expand_ratio) = 1;
  /// Kernel size of the depthwise convolution (odd).
  TORCH_ARG(int64_t, kernel_size) = 3;
  /// Stride of the depthwise convolution, 1 or 2.
  TORCH_ARG(int64_t, stride) = 1;
  /// Stochastic depth: in training, the probability that a sample's residual branch
  /// is dropped (the kept ones are scaled by 1 / (1 - drop_rate)). Only blocks with
  /// an identity shortcut drop; the mask is drawn from torch's default generator
  /// (at::manual_seed), per sample, as torchvision's StochasticDepth "row" mode.
  TORCH_ARG(double, drop_rate) = 0.0;
  TORCH_ARG(EfficientNetNormOptions, norm) = {};
};

/// Submodule `block` lists, as torchvision's MBConv.block: expand, Sequential(1x1
/// conv, bn, SiLU), only when the width changes; depthwise, Sequential(kxk conv, bn,
/// SiLU); squeeze-excitation through max(1, in_channels / 4) channels; project,
/// Sequential(1x1 conv, bn). The shortcut is the identity when stride is 1 and the
/// width is kept, else none.
class MBConvImpl : public torch::nn::Cloneable<MBConvImpl> {
 public:
  explicit MBConvImpl(MBConvOptions options);
  void reset() override;
  at::Tensor forward(const at::Tensor& x);

  /// Whether the block adds its input (and so may drop its branch in training).
  bool has_shortcut() const;

  MBConvOptions options;
  // NOTE: a ModuleList, not a Sequential, which cannot hold the inner Sequentials
  // (their forward is a template). forward() runs its entries by type rather than
  // through typed member aliases, which clone() would leave pointing at stale copies.
  torch::nn::ModuleList block{nullptr};
};
TORCH_MODULE(MBConv);

/// torchvision's _make_divisible(value, 8): the nearest multiple of 8, at least 8,
/// and never more than 10% below `value`.
int64_t MakeDivisible(double value);

/// Options of an EfficientNet backbone. Check with CheckEfficientNetOptions().
struct EfficientNetOptions {
  /// One of "b0" .. "b7".
  /* implicit */ EfficientNetOptions(std::string variant) : variant_(std::move(variant)) {}
  TORCH_ARG(std::string, variant);
  /// Multiplies the variant's width coefficient (1.0 for B0 .. 2.0 for B7); every
  /// width is then MakeDivisible(base * coefficient * width_multiplier).
  TORCH_ARG(double, width_multiplier) = 1.0;
  /// Multiplies the variant's depth coefficient (1.0 for B0 .. 3.1 for B7); every
  /// stage then has ceil(base blocks * coefficient * depth_multiplier) blocks.
  TORCH_ARG(double, depth_multiplier) = 1.0;
  TORCH_ARG(EfficientNetNormOptions, norm) = {};
  /// Batch norms use their running statistics even in train mode, and their
  /// affine parameters get no gradients (requires_grad false).
  TORCH_ARG(bool, freeze_bn) = false;
  /// Stochastic depth of the whole net: block i of n (counted over all stages,
  /// from 0) gets drop_rate = drop_connect_rate * i / n. torchvision's
  /// stochastic_depth_prob, 0.2 for every variant.
  TORCH_ARG(double, drop_connect_rate) = 0.2;
};

/// OK, or InvalidArgument naming the first option out of range.
absl::Status CheckEfficientNetOptions(const EfficientNetOptions& options);

/// An EfficientNet without torchvision's features.8 and classifier. Forward() returns
/// "c2", "c3", "c4", "c5": the outputs of features.2, features.3, features.5 and
/// features.7 (the last stage at strides 4, 8, 16, 32; 24, 40, 112, 320 channels in
/// B0). c2 costs nothing extra and is there for segmentation decoders; the FPN
/// ignores levels below its min_level. Throws c10::Error for options that fail
/// CheckEfficientNetOptions().
class EfficientNetImpl : public Backbone {
 public:
  explicit EfficientNetImpl(EfficientNetOptions options);

  Features Forward(const at::Tensor& images) override;
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

  /// Sets train/eval mode recursively; with freeze_bn the norms stay in eval mode.
  void train(bool on = true) override;

  const EfficientNetOptions& options() const { return options_; }

 private:
  EfficientNetOptions options_;
  FeatureSpecs specs_;
  torch::nn::ModuleList features_{nullptr};      // features.0 .. features.7.
  std::vector<torch::nn::Sequential> sequence_;  // The same modules, in order.
  std::vector<int64_t> output_of_;               // Per module: index into specs_, or -1.
};
TORCH_MODULE(EfficientNet);

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_EFFICIENTNET_H_
