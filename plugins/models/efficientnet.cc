// EfficientNet blocks and backbone.
#include "plugins/models/efficientnet.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"
#include "core/status.h"
#include "plugins/models/backbone_checks.h"
#include "plugins/models/batch_norm_freezing.h"
#include "torch/nn/modules/activation.h"
#include "torch/nn/modules/batchnorm.h"

namespace stlab::models {
namespace {

namespace nn = torch::nn;

// The EfficientNet-B0 stages (the paper's Table 1, torchvision's order): the stem
// has 32 channels, each stage takes the previous stage's width.
struct StageConfig {
  int64_t expand_ratio;
  int64_t kernel_size;
  int64_t stride;
  int64_t out_channels;
  int64_t blocks;
};
constexpr int64_t kStemChannels = 32;
constexpr std::array<StageConfig, 7> kStages = {{
    {1, 3, 1, 16, 1},
    {6, 3, 2, 24, 2},
    {6, 5, 2, 40, 2},
    {6, 3, 2, 80, 3},
    {6, 5, 1, 112, 3},
    {6, 5, 2, 192, 4},
    {6, 3, 1, 320, 1},
}};

// Compound-scaling coefficients of each variant.
struct Scaling {
  std::string_view variant;
  double width;
  double depth;
};
constexpr std::array<Scaling, 8> kVariants = {{
    {"b0", 1.0, 1.0},
    {"b1", 1.0, 1.1},
    {"b2", 1.1, 1.2},
    {"b3", 1.2, 1.4},
    {"b4", 1.4, 1.8},
    {"b5", 1.6, 2.2},
    {"b6", 1.8, 2.6},
    {"b7", 2.0, 3.1},
}};

const Scaling* FindVariant(std::string_view variant) {
  for (const Scaling& s : kVariants) {
    if (s.variant == variant) return &s;
  }
  return nullptr;
}

nn::BatchNorm2d Norm(int64_t channels, const EfficientNetNormOptions& norm) {
  return nn::BatchNorm2d(
      nn::BatchNormOptions(channels).momentum(norm.momentum()).eps(norm.epsilon()));
}

// torchvision's Conv2dNormActivation: Sequential(conv, bn[, SiLU]) without conv bias.
nn::Sequential ConvNorm(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                        const EfficientNetNormOptions& norm, bool activation) {
  nn::Sequential layer(nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                                      .stride(stride)
                                      .padding(kernel / 2)
                                      .groups(groups)
                                      .bias(false)),
                       Norm(out, norm));
  if (activation) layer->push_back(nn::SiLU());
  return layer;
}

}  // namespace

int64_t MakeDivisible(double value) {
  constexpr int64_t kDivisor = 8;
  int64_t rounded =
      std::max(kDivisor, static_cast<int64_t>(value + kDivisor / 2.0) / kDivisor * kDivisor);
  if (static_cast<double>(rounded) < 0.9 * value) rounded += kDivisor;
  return rounded;
}

SqueezeExcitationImpl::SqueezeExcitationImpl(SqueezeExcitationOptions options)
    : options(std::move(options)) {
  reset();
}

void SqueezeExcitationImpl::reset() {
  fc1 = register_module(
      "fc1", nn::Conv2d(nn::Conv2dOptions(options.channels(), options.squeeze_channels(), 1)));
  fc2 = register_module(
      "fc2", nn::Conv2d(nn::Conv2dOptions(options.squeeze_channels(), options.channels(), 1)));
}

at::Tensor SqueezeExcitationImpl::forward(const at::Tensor& x) {
  const at::Tensor pooled = x.mean({2, 3}, /*keepdim=*/true);
  return x * at::sigmoid(fc2->forward(at::silu(fc1->forward(pooled))));
}

MBConvImpl::MBConvImpl(MBConvOptions options) : options(std::move(options)) { reset(); }

void MBConvImpl::reset() {
  const int64_t in = options.in_channels();
  const int64_t expanded = MakeDivisible(static_cast<double>(in * options.expand_ratio()));
  const EfficientNetNormOptions& norm = options.norm();
  block = register_module("block", nn::ModuleList());
  if (expanded != in) block->push_back(ConvNorm(in, expanded, 1, 1, 1, norm, true));
  block->push_back(
      ConvNorm(expanded, expanded, options.kernel_size(), options.stride(), expanded, norm, true));
  block->push_back(
      SqueezeExcitation(SqueezeExcitationOptions(expanded, std::max<int64_t>(1, in / 4))));
  block->push_back(ConvNorm(expanded, options.out_channels(), 1, 1, 1, norm, false));
}

bool MBConvImpl::has_shortcut() const {
  return options.stride() == 1 && options.in_channels() == options.out_channels();
}

at::Tensor MBConvImpl::forward(const at::Tensor& x) {
  at::Tensor y = x;
  for (const auto& layer : *block) {
    if (auto* se = layer->as<SqueezeExcitationImpl>()) {
      y = se->forward(y);
    } else {
      y = layer->as<nn::SequentialImpl>()->forward(y);
    }
  }
  if (!has_shortcut()) return y;
  if (is_training() && options.drop_rate() > 0) {
    const double keep = 1.0 - options.drop_rate();
    at::Tensor mask = at::empty({y.size(0), 1, 1, 1}, y.options()).bernoulli_(keep);
    if (keep > 0) mask.div_(keep);
    y = y * mask;
  }
  return y + x;
}

absl::Status CheckEfficientNetOptions(const EfficientNetOptions& o) {
  if (FindVariant(o.variant()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variant must be one of {b0, b1, b2, b3, b4, b5, b6, b7}, got \"", o.variant(), "\""));
  }
  STLAB_RETURN_IF_ERROR(CheckScalingAndNorm(o.width_multiplier(), o.depth_multiplier(),
                                            o.norm().momentum(), o.norm().epsilon()));
  if (!(o.drop_connect_rate() >= 0 && o.drop_connect_rate() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("drop_connect_rate must be in [0, 1], got ", o.drop_connect_rate()));
  }
  return absl::OkStatus();
}

EfficientNetImpl::EfficientNetImpl(EfficientNetOptions options) : options_(std::move(options)) {
  const absl::Status valid = CheckEfficientNetOptions(options_);
  TORCH_CHECK(valid.ok(), "efficientnet: ", std::string(valid.message()));
  const Scaling& scaling = *FindVariant(options_.variant());
  const double width = scaling.width * options_.width_multiplier();
  const double depth = scaling.depth * options_.depth_multiplier();
  const EfficientNetNormOptions& norm = options_.norm();

  std::array<int64_t, kStages.size()> blocks{};
  int64_t total_blocks = 0;
  for (size_t i = 0; i < kStages.size(); ++i) {
    blocks[i] = static_cast<int64_t>(std::ceil(static_cast<double>(kStages[i].blocks) * depth));
    total_blocks += blocks[i];
  }

  int64_t channels = MakeDivisible(static_cast<double>(kStemChannels) * width);
  features_ = register_module("features", nn::ModuleList());
  sequence_.push_back(ConvNorm(3, channels, 3, 2, 1, norm, true));
  output_of_.push_back(-1);
  int64_t stride = 2;
  int64_t block_index = 0;
  for (size_t i = 0; i < kStages.size(); ++i) {
    const StageConfig& config = kStages[i];
    const int64_t out = MakeDivisible(static_cast<double>(config.out_channels) * width);
    nn::Sequential stage;
    for (int64_t b = 0; b < blocks[i]; ++b, ++block_index) {
      stage->push_back(MBConv(MBConvOptions(channels, out)
                                  .expand_ratio(config.expand_ratio)
                                  .kernel_size(config.kernel_size)
                                  .stride(b == 0 ? config.stride : 1)
                                  .drop_rate(options_.drop_connect_rate() *
                                             static_cast<double>(block_index) /
                                             static_cast<double>(total_blocks))
                                  .norm(norm)));
      channels = out;
    }
    stride *= config.stride;
    sequence_.push_back(stage);
    // A level's output is the last stage at its stride; c1 (stride 2) is not offered.
    const bool last_at_stride = i + 1 == kStages.size() || kStages[i + 1].stride != 1;
    if (last_at_stride && stride >= 4) {
      output_of_.push_back(static_cast<int64_t>(specs_.size()));
      const int64_t level = std::llround(std::log2(static_cast<double>(stride)));
      specs_.push_back({absl::StrCat("c", level), channels, stride});
    } else {
      output_of_.push_back(-1);
    }
  }
  for (const nn::Sequential& module : sequence_) features_->push_back(module);

  if (options_.freeze_bn()) {
    FreezeBatchNormParameters(*this);
    train(is_training());
  }
}

void EfficientNetImpl::train(bool on) {
  Module::train(on);
  if (options_.freeze_bn()) KeepBatchNormsInEvalMode(*this);
}

Features EfficientNetImpl::Forward(const at::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3,
              "efficientnet: images must be [N, 3, H, W], got ", images.sizes());
  Features out;
  at::Tensor x = images;
  for (size_t i = 0; i < sequence_.size(); ++i) {
    x = sequence_[i]->forward(x);
    if (output_of_[i] >= 0) out.emplace(specs_[output_of_[i]].name, x);
  }
  return out;
}

}  // namespace stlab::models
