// How good a teacher's pseudo labels are, measured against labels that training
// never sees: the hidden ground truth of an unlabeled pool that has one (the
// synthetic pool, or the rest of a labeled set used as the pool, the protocol of
// STAC, Unbiased Teacher and Soft Teacher).
#ifndef STLAB_CORE_ENGINE_PSEUDO_LABEL_QUALITY_H_
#define STLAB_CORE_ENGINE_PSEUDO_LABEL_QUALITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/task_model.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Accumulates, image by image, the quality of pseudo labels against hidden labels.
///
/// Detection: a box counts as a true positive when it matches an unmatched
/// ground-truth box of its class at IoU >= 0.5, boxes taken in descending score
/// (COCO's greedy matching); an unmatched box at least half inside an ignore
/// region counts neither way. Measured for the kept boxes (the labeler's operating point)
/// and, over every teacher detection, as a precision-recall curve against the score
/// threshold, so that a threshold can be chosen from evidence.
///
/// Segmentation: over the pixels that have a ground-truth class (not kIgnoreLabel),
/// the kept fraction (pixels the labeler labeled), the accuracy and mIoU of the kept
/// pixels, each class's coverage (its pixels that got a label) and, over every
/// pixel, accuracy and kept fraction against a threshold on the teacher's top
/// probability.
///
/// Not thread-safe. Add() every unlabeled image once, dropped ones included.
class STLAB_API PseudoLabelQuality {
 public:
  /// `num_classes`: box classes (detection) or mask classes (segmentation).
  PseudoLabelQuality(Task task, int64_t num_classes);

  /// Whether `image` carries the hidden labels this measure needs (boxes and
  /// labels for detection, a mask for segmentation).
  bool HasGroundTruth(const Sample& image) const;

  /// Adds one image: its hidden labels (`truth`, HasGroundTruth), the teacher's
  /// prediction and what the labeler kept (nullptr when it dropped the image).
  /// Kept boxes come in descending teacher score, as labelers keep them; a kept
  /// mask has the truth's size, kIgnoreLabel marking the pixels left unlabeled.
  void Add(const Sample& truth, const Prediction& teacher, const Sample* kept);

  /// Images added so far.
  int64_t images() const { return images_; }

  /// Headline figures for a stage's metrics, each prefixed "pseudo/": detection
  /// precision, recall; segmentation pixel_accuracy, miou, kept_fraction.
  Metrics Headline() const;

  /// The full measurement as a JSON object (for pseudo_labels_summary.json's
  /// "quality"): counts, headline figures, per class by `class_names`, and the
  /// threshold curve ("pr_curve" for detection, "threshold_curve" for segmentation).
  std::string Json(const std::vector<std::string>& class_names) const;

  /// The curves' thresholds are k / kCurveSteps for k = 1 .. kCurveSteps - 1
  /// (0.05, 0.10, ..., 0.95); a box or pixel is at or above threshold k when
  /// floor(score * kCurveSteps) >= k.
  static constexpr int64_t kCurveSteps = 20;

 private:
  void AddDetection(const Sample& truth, const Detections& teacher, const Sample* kept);
  void AddSegmentation(const Sample& truth, const at::Tensor& probs, const Sample* kept);

  Task task_;
  int64_t num_classes_;
  int64_t images_ = 0;
  // Detection, per class: ground-truth boxes, kept boxes and their true positives;
  // per curve threshold: teacher boxes at or above it and their true positives.
  std::vector<int64_t> truth_boxes_;
  std::vector<int64_t> kept_boxes_;
  std::vector<int64_t> kept_true_;
  std::vector<int64_t> curve_boxes_;
  std::vector<int64_t> curve_true_;
  // Segmentation: confusion of kept pixels [truth * C + label], ground-truth pixels
  // per class; per curve threshold: pixels at or above it and the correct ones.
  std::vector<int64_t> confusion_;
  std::vector<int64_t> truth_pixels_;
  std::vector<int64_t> curve_pixels_;
  std::vector<int64_t> curve_correct_;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PSEUDO_LABEL_QUALITY_H_
