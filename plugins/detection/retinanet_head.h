// RetinaNet's dense head (Lin et al. 2017): a classification and a box-regression
// tower shared over the pyramid levels, with its anchors, matching, focal and box
// losses, and post-processing into detections.
#ifndef STLAB_PLUGINS_DETECTION_RETINANET_HEAD_H_
#define STLAB_PLUGINS_DETECTION_RETINANET_HEAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/head.h"
#include "core/ops/conv2d.h"
#include "plugins/detection/anchors.h"
#include "plugins/detection/matcher.h"
#include "torch/arg.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/modules/normalization.h"
#include "torch/nn/pimpl.h"

namespace stlab::detection {

/// Options of a RetinaNet head reading `inputs` (a neck's OutputSpecs(), all of one
/// channel count) for `num_classes` classes. Check with CheckRetinaNetHeadOptions().
struct RetinaNetHeadOptions {
  RetinaNetHeadOptions(FeatureSpecs inputs, int64_t num_classes)
      : inputs_(std::move(inputs)), num_classes_(num_classes) {}
  TORCH_ARG(FeatureSpecs, inputs);
  TORCH_ARG(int64_t, num_classes);
  /// 3x3 convolutions (+ ReLU) in each tower before its output convolution.
  TORCH_ARG(int64_t, num_convs) = 4;
  /// "none" (RetinaNet paper, torchvision v1) or "group_norm" (32 groups, after
  /// each tower convolution, as torchvision's retinanet v2).
  TORCH_ARG(std::string, norm) = "none";
  /// Anchor side at octave scale 1 is anchor_size * stride (RetinaNet: 4).
  TORCH_ARG(double, anchor_size) = 4.0;
  /// Octave scales per location: 2^(i / scales_per_octave), i < scales_per_octave.
  TORCH_ARG(int64_t, scales_per_octave) = 3;
  TORCH_ARG(std::vector<double>, aspect_ratios) = std::vector<double>{0.5, 1.0, 2.0};
  TORCH_ARG(MatcherOptions, matcher);
  TORCH_ARG(double, focal_alpha) = 0.25;
  TORCH_ARG(double, focal_gamma) = 2.0;
  /// "smooth_l1" on encoded deltas (Detectron2, the paper's TF code as Huber), or
  /// "giou" on decoded boxes (1 - generalized IoU).
  TORCH_ARG(std::string, box_loss) = "smooth_l1";
  /// Smooth-L1 transition point in delta units; 0 is plain L1 (torchvision).
  TORCH_ARG(double, smooth_l1_beta) = 0.1;
  TORCH_ARG(double, box_loss_weight) = 1.0;
  /// Initial foreground probability of every class (the classifier's bias).
  TORCH_ARG(double, prior_probability) = 0.01;
  /// Inference: candidates below this score are dropped before NMS.
  TORCH_ARG(double, score_threshold) = 0.05;
  /// Inference: at most this many top-scoring candidates per level enter NMS.
  TORCH_ARG(int64_t, topk_candidates) = 1000;
  /// Inference: per-class NMS IoU threshold.
  TORCH_ARG(double, nms_threshold) = 0.5;
  /// Inference: detections kept per image, by score.
  TORCH_ARG(int64_t, max_detections) = 100;
};

/// One tower layer: 3x3 convolution, optional group norm, then ReLU.
struct TowerLayer {
  Conv2d conv{nullptr};
  torch::nn::GroupNorm norm{nullptr};
};

/// OK, or InvalidArgument naming the option or input level that does not fit.
absl::Status CheckRetinaNetHeadOptions(const RetinaNetHeadOptions& options);

/// Submodules follow torchvision's RetinaNetHead names: classification_head.{conv,
/// cls_logits} and regression_head.{conv, bbox_reg}, so its weights can be exchanged.
/// Parameters are initialised at construction as in the paper: tower and output
/// weights normal(0, 0.01), biases 0, the classifier's bias -log((1 - p) / p).
/// Throws c10::Error for options that fail CheckRetinaNetHeadOptions().
class RetinaNetHeadImpl : public DetectionHead {
 public:
  explicit RetinaNetHeadImpl(RetinaNetHeadOptions options);

  /// Sum over the batch of the focal loss ("cls") and box loss ("box", weighted),
  /// each divided by the batch's number of positive anchors (at least 1). A
  /// positive anchor's class target is 1, or its box's Sample::label_scores entry
  /// when the sample has soft labels (the box loss is the same either way).
  LossTerms Loss(const Features& features, const std::vector<Sample>& targets,
                 const std::vector<int64_t>& image_size) override;
  std::vector<Detections> Predict(const Features& features,
                                  const std::vector<int64_t>& image_size) override;

  const RetinaNetHeadOptions& options() const { return options_; }
  int64_t num_anchors_per_location() const { return anchors_.num_anchors_per_location(); }

 private:
  struct Outputs {
    at::Tensor class_logits;  // [N, sum_l H_l W_l A, C]
    at::Tensor box_deltas;    // [N, sum_l H_l W_l A, 4]
    Anchors anchors;
  };
  Outputs Run(const Features& features, const std::vector<int64_t>& image_size);

  RetinaNetHeadOptions options_;
  AnchorGenerator anchors_;
  Matcher matcher_;
  std::vector<TowerLayer> cls_tower_;
  Conv2d cls_logits_{nullptr};
  std::vector<TowerLayer> box_tower_;
  Conv2d bbox_reg_{nullptr};
};
TORCH_MODULE(RetinaNetHead);

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_RETINANET_HEAD_H_
