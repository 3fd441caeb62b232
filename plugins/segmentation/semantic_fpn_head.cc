// Semantic FPN head.
#include "plugins/segmentation/semantic_fpn_head.h"

#include <algorithm>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"
#include "core/ops/conv2d.h"
#include "core/sample.h"
#include "torch/nn/functional/loss.h"
#include "torch/nn/init.h"
#include "torch/nn/modules/activation.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/container/modulelist.h"
#include "torch/nn/modules/dropout.h"
#include "torch/nn/modules/normalization.h"
#include "torch/nn/modules/upsampling.h"

namespace stlab::segmentation {
namespace {

namespace nn = torch::nn;

constexpr int64_t kGroupNormGroups = 32;

bool IsPowerOfTwo(int64_t v) { return v >= 1 && (v & (v - 1)) == 0; }

int64_t FinestStride(const FeatureSpecs& specs) {
  int64_t finest = specs.front().stride;
  for (const FeatureSpec& spec : specs) finest = std::min(finest, spec.stride);
  return finest;
}

// conv3x3 [+ norm] + ReLU, then x2 upsampling for each halving needed to reach the
// finest stride (at least one conv per level, as in Panoptic FPN).
nn::Sequential ScaleHead(const FeatureSpec& spec, int64_t finest_stride,
                         const SemanticFpnHeadOptions& o) {
  nn::Sequential head;
  int64_t stride = spec.stride;
  int64_t in = spec.channels;
  do {
    head->push_back(Conv2d(nn::Conv2dOptions(in, o.channels(), 3).padding(1).bias(o.norm() == "none")));
    if (o.norm() == "group_norm") {
      head->push_back(nn::GroupNorm(nn::GroupNormOptions(kGroupNormGroups, o.channels())));
    } else if (o.norm() == "batch_norm") {
      head->push_back(nn::BatchNorm2d(o.channels()));
    }
    head->push_back(nn::ReLU());
    if (stride > finest_stride) {
      head->push_back(nn::Upsample(
          nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kBilinear).align_corners(false)));
      stride /= 2;
    }
    in = o.channels();
  } while (stride > finest_stride);
  return head;
}

const SemanticFpnHeadOptions& Checked(const SemanticFpnHeadOptions& options) {
  const absl::Status status = CheckSemanticFpnHeadOptions(options);
  TORCH_CHECK(status.ok(), "semantic_fpn head: ", std::string(status.message()));
  return options;
}

}  // namespace

absl::Status CheckSemanticFpnHeadOptions(const SemanticFpnHeadOptions& o) {
  if (o.inputs().empty()) return absl::InvalidArgumentError("needs at least one input level");
  for (const FeatureSpec& spec : o.inputs()) {
    if (!IsPowerOfTwo(spec.stride) || spec.channels < 1) {
      return absl::InvalidArgumentError(absl::StrCat("input '", spec.name, "' has stride ",
                                                     spec.stride, " and ", spec.channels,
                                                     " channels; need a power-of-two stride"));
    }
  }
  if (o.num_classes() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_classes must be >= 2 (mask values incl. background), got ", o.num_classes()));
  }
  if (o.channels() < 1) return absl::InvalidArgumentError("channels must be >= 1");
  if (o.norm() != "none" && o.norm() != "group_norm" && o.norm() != "batch_norm") {
    return absl::InvalidArgumentError(absl::StrCat(
        "norm must be \"none\", \"group_norm\" or \"batch_norm\", got \"", o.norm(), "\""));
  }
  if (o.norm() == "group_norm" && o.channels() % kGroupNormGroups != 0) {
    return absl::InvalidArgumentError(absl::StrCat("group_norm needs channels divisible by ",
                                                   kGroupNormGroups, ", got ", o.channels()));
  }
  if (!(o.dropout() >= 0.0 && o.dropout() < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("dropout must be in [0, 1), got ", o.dropout()));
  }
  return absl::OkStatus();
}

SemanticFpnHeadImpl::SemanticFpnHeadImpl(SemanticFpnHeadOptions options)
    : options_(Checked(options)) {
  const int64_t finest = FinestStride(options_.inputs());
  nn::ModuleList scale_heads;
  for (const FeatureSpec& spec : options_.inputs()) {
    scale_heads_.push_back(ScaleHead(spec, finest, options_));
    scale_heads->push_back(scale_heads_.back());
  }
  register_module("scale_heads", scale_heads);
  predictor_ = register_module(
      "predictor", nn::Conv2d(nn::Conv2dOptions(options_.channels(), options_.num_classes(), 1)));
  torch::NoGradGuard no_grad;
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    }
  }
  nn::init::normal_(predictor_->weight, 0.0, 0.001);
}

at::Tensor SemanticFpnHeadImpl::Forward(const Features& features,
                                        const std::vector<int64_t>& image_size) {
  TORCH_CHECK(image_size.size() == 2, "image_size must be {H, W}");
  at::Tensor fused;
  for (size_t i = 0; i < options_.inputs().size(); ++i) {
    const FeatureSpec& spec = options_.inputs()[i];
    auto it = features.find(spec.name);
    TORCH_CHECK(it != features.end(), "semantic_fpn head: feature '", spec.name, "' missing");
    at::Tensor map = scale_heads_[i]->forward(it->second);
    if (fused.defined() && map.sizes() != fused.sizes()) {
      // Odd sizes: x2 upsampling of ceil(H / s) can overshoot the finest map by one.
      map = map.narrow(2, 0, fused.size(2)).narrow(3, 0, fused.size(3));
    }
    fused = fused.defined() ? fused + map : map;
  }
  if (options_.dropout() > 0.0 && is_training()) {
    fused = at::dropout(fused, options_.dropout(), /*train=*/true);
  }
  const at::Tensor logits = predictor_->forward(fused);
  return at::upsample_bilinear2d(logits, {image_size[0], image_size[1]}, /*align_corners=*/false);
}

LossTerms SemanticFpnHeadImpl::Loss(const at::Tensor& logits, const at::Tensor& masks,
                                    const at::Tensor& soft_targets) {
  TORCH_CHECK(logits.dim() == 4 && masks.dim() == 3 && logits.size(0) == masks.size(0) &&
                  logits.size(2) == masks.size(1) && logits.size(3) == masks.size(2),
              "semantic_fpn head: logits ", logits.sizes(), " do not fit masks ", masks.sizes());
  const at::Tensor target = masks.to(logits.device(), at::kLong);
  const at::Tensor labeled = target != kIgnoreLabel;
  const int64_t max_label = at::where(labeled, target, at::zeros_like(target)).max().item<int64_t>();
  TORCH_CHECK(max_label < options_.num_classes(), "semantic_fpn head: mask value ", max_label,
              " is not a class (", options_.num_classes(), " classes, ", int{kIgnoreLabel},
              " = ignore)");
  const at::Tensor count = labeled.sum().clamp_min(1).to(logits.scalar_type());
  if (soft_targets.defined()) {
    TORCH_CHECK(soft_targets.dim() == 4 && soft_targets.size(0) == logits.size(0) &&
                    soft_targets.size(1) == options_.num_classes() &&
                    soft_targets.size(2) == logits.size(2) && soft_targets.size(3) == logits.size(3),
                "semantic_fpn head: soft targets ", soft_targets.sizes(), " do not fit logits ",
                logits.sizes());
    const at::Tensor per_pixel =
        -(soft_targets.to(logits.device(), logits.scalar_type()) * at::log_softmax(logits, 1))
             .sum(1);
    return {{"seg", (per_pixel * labeled.to(logits.scalar_type())).sum() / count}};
  }
  const at::Tensor per_pixel = at::cross_entropy_loss(logits, target, /*weight=*/{},
                                                      at::Reduction::None, kIgnoreLabel);
  return {{"seg", per_pixel.sum() / count}};
}

}  // namespace stlab::segmentation
