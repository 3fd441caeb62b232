// ResNet v1.5 backbones (He et al. 2016; stride in the 3x3 convolution of each
// bottleneck, as in torchvision) with width and depth multipliers for tiny variants.
//
// Parameter and buffer names follow torchvision's resnet exactly (conv1, bn1,
// layer1.0.conv1, layer1.0.downsample.0, layer4.1.bn2.running_var, ...), minus its
// `fc` classifier, so torchvision weights load with the identity key map after
// dropping fc.*.
#ifndef STLAB_PLUGINS_MODELS_RESNET_H_
#define STLAB_PLUGINS_MODELS_RESNET_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "core/backbone.h"
#include "core/ops/conv2d.h"
#include "torch/arg.h"
#include "torch/nn/cloneable.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/pimpl.h"

namespace stlab::models {

/// Batch-norm settings shared by every norm of a ResNet.
struct ResNetNormOptions {
  /// PyTorch convention: running = (1 - momentum) * running + momentum * batch.
  TORCH_ARG(double, momentum) = 0.1;
  TORCH_ARG(double, epsilon) = 1e-5;
};

/// Options of one residual block. `planes` is the block's inner width; its output
/// has planes * expansion channels (1 for basic blocks, 4 for bottlenecks).
struct ResidualBlockOptions {
  ResidualBlockOptions(int64_t in_channels, int64_t planes)
      : in_channels_(in_channels), planes_(planes) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, planes);
  /// Stride of the block (of its 3x3 convolution in a bottleneck, v1.5).
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(ResNetNormOptions, norm) = {};
};

/// Two 3x3 convolutions (ResNet-18/34). Submodules: conv1, bn1, conv2, bn2 and,
/// when the shape changes, downsample = Sequential(1x1 conv, bn).
class BasicBlockImpl : public torch::nn::Cloneable<BasicBlockImpl> {
 public:
  static constexpr int64_t kExpansion = 1;
  explicit BasicBlockImpl(ResidualBlockOptions options);
  void reset() override;
  at::Tensor forward(const at::Tensor& x);

  ResidualBlockOptions options;
  Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

/// 1x1 -> 3x3 (strided) -> 1x1 with 4x expansion (ResNet-50/101). Submodules:
/// conv1..conv3, bn1..bn3 and, when the shape changes, downsample.
class BottleneckImpl : public torch::nn::Cloneable<BottleneckImpl> {
 public:
  static constexpr int64_t kExpansion = 4;
  explicit BottleneckImpl(ResidualBlockOptions options);
  void reset() override;
  at::Tensor forward(const at::Tensor& x);

  ResidualBlockOptions options;
  Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

/// Options of a ResNet backbone. Check with CheckResNetOptions().
struct ResNetOptions {
  /// One of 18, 34 (basic blocks), 50, 101 (bottlenecks).
  /* implicit */ ResNetOptions(int64_t depth) : depth_(depth) {}
  TORCH_ARG(int64_t, depth);
  /// Scales every stage's width (stem 64, stages 64/128/256/512 planes); each
  /// scaled width is rounded and at least 8.
  TORCH_ARG(double, width_multiplier) = 1.0;
  /// Scales the blocks per stage (rounded up, at least 1).
  TORCH_ARG(double, depth_multiplier) = 1.0;
  TORCH_ARG(ResNetNormOptions, norm) = {};
  /// Batch norms use their running statistics even in train mode, and their
  /// affine parameters get no gradients (requires_grad false).
  TORCH_ARG(bool, freeze_bn) = false;
};

/// OK, or InvalidArgument naming the first option out of range.
absl::Status CheckResNetOptions(const ResNetOptions& options);

/// Blocks per stage of `depth` before the depth multiplier (e.g. {2, 2, 2, 2} for 18).
std::vector<int64_t> ResNetStageBlocks(int64_t depth);

/// A ResNet without its classifier. Forward() returns "c3", "c4", "c5" (the outputs
/// of layer2..layer4, strides 8, 16, 32). Throws c10::Error for options that fail
/// CheckResNetOptions().
class ResNetImpl : public Backbone {
 public:
  explicit ResNetImpl(ResNetOptions options);

  Features Forward(const at::Tensor& images) override;
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

  /// Sets train/eval mode recursively; with freeze_bn the norms stay in eval mode.
  void train(bool on = true) override;

  const ResNetOptions& options() const { return options_; }

 private:
  ResNetOptions options_;
  FeatureSpecs specs_;
  Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  std::vector<torch::nn::Sequential> layers_;  // layer1..layer4.
};
TORCH_MODULE(ResNet);

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_RESNET_H_
