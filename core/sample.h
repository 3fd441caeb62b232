// One training or evaluation example, and what models predict for it. Images,
// boxes and masks travel together so that augmentations transform them together.
#ifndef STLAB_CORE_SAMPLE_H_
#define STLAB_CORE_SAMPLE_H_

#include <array>
#include <cstdint>
#include <string>

#include "ATen/core/Tensor.h"

namespace stlab {

/// Per-channel RGB normalization in 0-255 pixel units (ImageNet's by default).
struct Normalization {
  std::array<float, 3> mean = {123.675f, 116.28f, 103.53f};
  std::array<float, 3> std = {58.395f, 57.12f, 57.375f};
};

/// A labeled (human or pseudo) or unlabeled image. All tensors live on the CPU.
struct Sample {
  int64_t image_id = -1;  ///< Stable id within its dataset (COCO image id where there is one).
  std::string source;     ///< Where it came from (file path or generator key), for errors.
  /// [H, W, 3] uint8, RGB, contiguous (HWC so that OpenCV can wrap it without a copy).
  at::Tensor image;
  /// [M, 4] float32 boxes (x1, y1, x2, y2) in pixels of `image`; may be [0, 4].
  at::Tensor boxes;
  /// [M] int64 class indices in [0, num_classes).
  at::Tensor labels;
  /// [K, 4] float32 regions whose detections are neither rewarded nor penalised
  /// (COCO iscrowd); undefined or [0, 4] when there are none.
  at::Tensor ignore_boxes;
  /// [H, W] uint8 class index per pixel, kIgnoreLabel where unlabeled; undefined
  /// when the dataset has no masks.
  at::Tensor mask;
  /// Soft detection labels: [M] float32, the target probability in (0, 1] of each
  /// box's class (a teacher's score); undefined means 1 for every box (hard labels).
  at::Tensor label_scores;
  /// Soft segmentation labels: [C, H, W] uint8, the target probability of each class
  /// at each pixel in units of 1/255 (a teacher's softmax, quantized to keep the
  /// pixels' memory and the augmentations' nearest-neighbour warps of `mask`);
  /// undefined for hard labels. When defined, `mask` is defined too and marks the
  /// pixels that carry no label with kIgnoreLabel; geometric augmentations move
  /// every plane exactly as they move `mask`.
  at::Tensor soft_mask;
  /// True when the labels came from a teacher rather than a human.
  bool pseudo_labeled = false;
};

/// Mask value for pixels that carry no label (PASCAL VOC's border value).
inline constexpr uint8_t kIgnoreLabel = 255;

/// Detections for one image, sorted by descending score.
struct Detections {
  at::Tensor boxes;   ///< [K, 4] float32 (x1, y1, x2, y2) in input-image pixels.
  at::Tensor scores;  ///< [K] float32 in [0, 1].
  at::Tensor labels;  ///< [K] int64 class indices.
};

/// What a model predicts for one image; a task fills the fields it produces.
struct Prediction {
  Detections detections;  ///< Detection task.
  at::Tensor class_probs; ///< Segmentation task: [C, H, W] float32 softmax probabilities.
};

}  // namespace stlab

#endif  // STLAB_CORE_SAMPLE_H_
