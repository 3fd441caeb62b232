// ResNet v1.5 blocks and backbone.
#include "plugins/models/resnet.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"
#include "core/status.h"
#include "plugins/models/backbone_checks.h"
#include "plugins/models/batch_norm_freezing.h"

namespace stlab::models {
namespace {

namespace nn = torch::nn;

Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return Conv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

nn::BatchNorm2d Norm(int64_t channels, const ResNetNormOptions& norm) {
  return nn::BatchNorm2d(
      nn::BatchNormOptions(channels).momentum(norm.momentum()).eps(norm.epsilon()));
}

// torchvision's rule: a projection shortcut wherever the shape changes.
nn::Sequential MaybeDownsample(const ResidualBlockOptions& o, int64_t out_channels) {
  if (o.stride() == 1 && o.in_channels() == out_channels) return nullptr;
  return nn::Sequential(Conv(o.in_channels(), out_channels, 1, o.stride()),
                        Norm(out_channels, o.norm()));
}

int64_t ScaledWidth(int64_t base, double multiplier) {
  return std::max<int64_t>(8, std::llround(static_cast<double>(base) * multiplier));
}

template <typename Block>
nn::Sequential MakeStage(int64_t& in_channels, int64_t planes, int64_t blocks, int64_t stride,
                         const ResNetNormOptions& norm) {
  nn::Sequential stage;
  for (int64_t i = 0; i < blocks; ++i) {
    stage->push_back(
        Block(ResidualBlockOptions(in_channels, planes).stride(i == 0 ? stride : 1).norm(norm)));
    in_channels = planes * Block::Impl::kExpansion;
  }
  return stage;
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(ResidualBlockOptions options) : options(std::move(options)) {
  reset();
}

void BasicBlockImpl::reset() {
  const int64_t planes = options.planes();
  conv1 = register_module("conv1", Conv(options.in_channels(), planes, 3, options.stride()));
  bn1 = register_module("bn1", Norm(planes, options.norm()));
  conv2 = register_module("conv2", Conv(planes, planes, 3, 1));
  bn2 = register_module("bn2", Norm(planes, options.norm()));
  downsample = MaybeDownsample(options, planes * kExpansion);
  if (downsample) register_module("downsample", downsample);
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = at::relu(bn1->forward(conv1->forward(x)));
  y = bn2->forward(conv2->forward(y));
  return at::relu(y + (downsample ? downsample->forward(x) : x));
}

BottleneckImpl::BottleneckImpl(ResidualBlockOptions options) : options(std::move(options)) {
  reset();
}

void BottleneckImpl::reset() {
  const int64_t planes = options.planes();
  conv1 = register_module("conv1", Conv(options.in_channels(), planes, 1, 1));
  bn1 = register_module("bn1", Norm(planes, options.norm()));
  conv2 = register_module("conv2", Conv(planes, planes, 3, options.stride()));
  bn2 = register_module("bn2", Norm(planes, options.norm()));
  conv3 = register_module("conv3", Conv(planes, planes * kExpansion, 1, 1));
  bn3 = register_module("bn3", Norm(planes * kExpansion, options.norm()));
  downsample = MaybeDownsample(options, planes * kExpansion);
  if (downsample) register_module("downsample", downsample);
}

at::Tensor BottleneckImpl::forward(const at::Tensor& x) {
  at::Tensor y = at::relu(bn1->forward(conv1->forward(x)));
  y = at::relu(bn2->forward(conv2->forward(y)));
  y = bn3->forward(conv3->forward(y));
  return at::relu(y + (downsample ? downsample->forward(x) : x));
}

std::vector<int64_t> ResNetStageBlocks(int64_t depth) {
  switch (depth) {
    case 18:
      return {2, 2, 2, 2};
    case 34:
      return {3, 4, 6, 3};
    case 50:
      return {3, 4, 6, 3};
    case 101:
      return {3, 4, 23, 3};
    default:
      return {};
  }
}

absl::Status CheckResNetOptions(const ResNetOptions& o) {
  if (ResNetStageBlocks(o.depth()).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("depth must be one of {18, 34, 50, 101}, got ", o.depth()));
  }
  STLAB_RETURN_IF_ERROR(CheckScalingAndNorm(o.width_multiplier(), o.depth_multiplier(),
                                            o.norm().momentum(), o.norm().epsilon()));
  return absl::OkStatus();
}

ResNetImpl::ResNetImpl(ResNetOptions options) : options_(std::move(options)) {
  const absl::Status valid = CheckResNetOptions(options_);
  TORCH_CHECK(valid.ok(), "resnet: ", std::string(valid.message()));
  const ResNetNormOptions& norm = options_.norm();
  const double w = options_.width_multiplier();

  int64_t channels = ScaledWidth(64, w);
  conv1_ = register_module("conv1", Conv(3, channels, 7, 2));
  bn1_ = register_module("bn1", Norm(channels, norm));

  const std::vector<int64_t> blocks = ResNetStageBlocks(options_.depth());
  const bool bottleneck = options_.depth() >= 50;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const int64_t planes = ScaledWidth(int64_t{64} << i, w);
    const int64_t n =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(blocks[i]) *
                                                            options_.depth_multiplier())));
    const int64_t stride = i == 0 ? 1 : 2;
    nn::Sequential stage = bottleneck ? MakeStage<Bottleneck>(channels, planes, n, stride, norm)
                                      : MakeStage<BasicBlock>(channels, planes, n, stride, norm);
    layers_.push_back(register_module(absl::StrCat("layer", i + 1), stage));
    // layer2..layer4 are c3..c5.
    if (i >= 1) specs_.push_back({absl::StrCat("c", i + 2), channels, int64_t{4} << i});
  }

  if (options_.freeze_bn()) {
    FreezeBatchNormParameters(*this);
    train(is_training());
  }
}

void ResNetImpl::train(bool on) {
  Module::train(on);
  if (options_.freeze_bn()) KeepBatchNormsInEvalMode(*this);
}

Features ResNetImpl::Forward(const at::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "resnet: images must be [N, 3, H, W], got ",
              images.sizes());
  at::Tensor x = at::relu(bn1_->forward(conv1_->forward(images)));
  x = at::max_pool2d(x, {3, 3}, {2, 2}, {1, 1});
  Features out;
  for (size_t i = 0; i < layers_.size(); ++i) {
    x = layers_[i]->forward(x);
    if (i >= 1) out.emplace(specs_[i - 1].name, x);
  }
  return out;
}

}  // namespace stlab::models
