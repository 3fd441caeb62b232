// Task heads: detection (boxes) and segmentation (per-pixel classes).
#ifndef STLAB_CORE_HEAD_H_
#define STLAB_CORE_HEAD_H_

#include <cstdint>
#include <vector>

#include "core/export.h"
#include "core/features.h"
#include "core/losses.h"
#include "core/sample.h"
#include "torch/nn/module.h"

namespace stlab {

/// What a head is built from besides its parameters: the feature levels it reads
/// and the number of classes, which is a fact of the dataset, not of the head.
struct HeadContext {
  FeatureSpecs inputs;
  int64_t num_classes = 0;
};

/// A dense detector head (RetinaNet and kin), including its anchors, matching,
/// losses and post-processing.
class STLAB_API DetectionHead : public torch::nn::Module {
 public:
  /// Training losses for a batch. `targets[i]` carries boxes/labels/ignore_boxes of
  /// image i in the padded input's pixel coordinates; `image_size` is {H, W} of the
  /// padded input.
  virtual LossTerms Loss(const Features& features, const std::vector<Sample>& targets,
                         const std::vector<int64_t>& image_size) = 0;

  /// Post-processed detections per image (decoding, NMS, top-k, score threshold),
  /// in the padded input's pixel coordinates.
  virtual std::vector<Detections> Predict(const Features& features,
                                          const std::vector<int64_t>& image_size) = 0;
};

/// A semantic segmentation head.
class STLAB_API SegmentationHead : public torch::nn::Module {
 public:
  /// Class logits [N, C, H, W] at the input resolution `image_size` = {H, W}.
  virtual at::Tensor Forward(const Features& features, const std::vector<int64_t>& image_size) = 0;

  /// Per-pixel losses of `logits` against `masks` [N, H, W] (uint8 class index,
  /// kIgnoreLabel excluded from the loss) or, when `soft_targets` is defined, against
  /// those class probabilities [N, C, H, W] float32 (soft pseudo labels) at the
  /// pixels that `masks` does not mark kIgnoreLabel.
  virtual LossTerms Loss(const at::Tensor& logits, const at::Tensor& masks,
                         const at::Tensor& soft_targets) = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_HEAD_H_
