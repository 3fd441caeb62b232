// Semantic segmentation head over a feature pyramid (Panoptic FPN's semantic branch,
// Kirillov et al. 2019): each level is brought to the finest level's resolution by
// conv + upsample stages, the maps are summed, classified per pixel and upsampled to
// the input. With the "fpn" neck over P3-P5 (or P2-P5) it is the FPN-style decoder.
#ifndef STLAB_PLUGINS_SEGMENTATION_SEMANTIC_FPN_HEAD_H_
#define STLAB_PLUGINS_SEGMENTATION_SEMANTIC_FPN_HEAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/head.h"
#include "torch/arg.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/pimpl.h"

namespace stlab::segmentation {

/// Options of a head reading `inputs` (a neck's OutputSpecs(), strides powers of
/// two) for `num_classes` mask values. Check with CheckSemanticFpnHeadOptions().
struct SemanticFpnHeadOptions {
  SemanticFpnHeadOptions(FeatureSpecs inputs, int64_t num_classes)
      : inputs_(std::move(inputs)), num_classes_(num_classes) {}
  TORCH_ARG(FeatureSpecs, inputs);
  TORCH_ARG(int64_t, num_classes);
  /// Channels of the per-level stages and of the fused map.
  TORCH_ARG(int64_t, channels) = 128;
  /// "group_norm" (32 groups; Panoptic FPN), "batch_norm" or "none".
  TORCH_ARG(std::string, norm) = "group_norm";
  /// Dropout on the fused map before the classifier (0 = none).
  TORCH_ARG(double, dropout) = 0.0;
};

/// OK, or InvalidArgument naming the option or input level that does not fit.
absl::Status CheckSemanticFpnHeadOptions(const SemanticFpnHeadOptions& options);

/// Submodules: "scale_heads.<i>" per input level (finest first), "predictor" (1x1).
/// Throws c10::Error for options that fail CheckSemanticFpnHeadOptions().
class SemanticFpnHeadImpl : public SegmentationHead {
 public:
  explicit SemanticFpnHeadImpl(SemanticFpnHeadOptions options);

  at::Tensor Forward(const Features& features, const std::vector<int64_t>& image_size) override;
  /// {"seg": mean cross-entropy over the pixels whose label is not kIgnoreLabel},
  /// 0 (with a gradient path) when every pixel is ignored. A label >= num_classes
  /// that is not kIgnoreLabel throws c10::Error naming it.
  /// Mean cross-entropy over the labeled pixels ("seg"): against the mask's class,
  /// or against `soft_targets`' probabilities when they are defined.
  LossTerms Loss(const at::Tensor& logits, const at::Tensor& masks,
                 const at::Tensor& soft_targets) override;

  const SemanticFpnHeadOptions& options() const { return options_; }

 private:
  SemanticFpnHeadOptions options_;
  std::vector<torch::nn::Sequential> scale_heads_;
  torch::nn::Conv2d predictor_{nullptr};
};
TORCH_MODULE(SemanticFpnHead);

}  // namespace stlab::segmentation

#endif  // STLAB_PLUGINS_SEGMENTATION_SEMANTIC_FPN_HEAD_H_
