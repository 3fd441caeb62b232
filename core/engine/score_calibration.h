// Score calibrations: dataset-level passes over a teacher's predictions on the
// whole unlabeled pool that give each class a cut of its own, and map each class's
// scores monotonically so that its cut lands on kCalibratedCut. A labeler
// thresholding at kCalibratedCut then keeps, class by class, what the pass chose.
//
// A single score threshold keeps the classes the teacher is sure of and drops the
// rest: strong augmentation makes a teacher unsure of every class, and rare or hard
// classes fall below any common cut (on a street-scene set, five of eleven classes
// received no pseudo-labeled pixel at 0.7).
//  - LabelPriorCalibration (detection): each class keeps as many boxes per image
//    as the human labels have. That needs no hidden label, and where the teacher
//    ranks its detections well it keeps about as many true boxes as it misses
//    (precision near recall, the break-even point of the precision-recall curve).
//  - ClassPortionCalibration (segmentation): each class keeps the most confident
//    `portion` of the pixels the teacher assigns to it, the class-balanced
//    thresholds of CBST (Zou et al., ECCV 2018).
#ifndef STLAB_CORE_ENGINE_SCORE_CALIBRATION_H_
#define STLAB_CORE_ENGINE_SCORE_CALIBRATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Where a calibration puts every class's cut.
inline constexpr double kCalibratedCut = 0.5;

/// Each score of `scores` mapped piecewise linearly with the cut of the same
/// element of `cuts` (same shape; both clamped to [0, 1]), [0, cut] ->
/// [0, kCalibratedCut] and [cut, 1] -> [kCalibratedCut, 1]: the order of scores
/// under one cut is kept, and thresholds below or above the cut (an ignore band,
/// say) keep their meaning relative to it. In the dtype of `scores`.
STLAB_API at::Tensor CalibratedScores(const at::Tensor& scores, const at::Tensor& cuts);

/// Boxes per image of each of `num_classes` classes in `labeled`, counted over at
/// most `max_images` of its images, evenly spaced (all of them when it has fewer).
/// An image whose labels name a class outside [0, num_classes) is an error naming it.
STLAB_API absl::StatusOr<std::vector<double>> BoxesPerImageByClass(const Dataset& labeled,
                                                                   int64_t num_classes,
                                                                   int64_t max_images);

/// Per-class score cuts fitted on a pool's detections: a labeler thresholding the
/// calibrated scores at kCalibratedCut keeps, over the fitted pool, the human
/// labels' boxes per image of every class.
class STLAB_API LabelPriorCalibration {
 public:
  /// For class c, the cut is the score of the k-th best detection of class c over
  /// `pool`, k = round(boxes_per_image[c] * pool.size()): every detection of the
  /// class when the pool holds fewer than k; none (cut 1) when k is 0.
  static LabelPriorCalibration Fit(const std::vector<double>& boxes_per_image,
                                   const std::vector<Detections>& pool);

  /// `detections` with the scores of class c mapped by CalibratedScores with cut_c
  /// (a label outside the classes: cut 1).
  Detections Apply(const Detections& detections) const;

  /// Each class's raw score cut.
  const std::vector<double>& cuts() const { return cuts_; }

  /// "name:cut (target boxes/image), ..." for logs and provenance.
  std::string Describe(const std::vector<std::string>& class_names) const;

 private:
  std::vector<double> cuts_;
  std::vector<double> boxes_per_image_;
};

/// Per-class cuts on a segmentation teacher's top class probability, fitted
/// image by image over a pool (Add, then Finish): class c's cut keeps the most
/// confident `portion` of the pixels whose most probable class is c.
class STLAB_API ClassPortionCalibration {
 public:
  /// `portion` in (0, 1].
  ClassPortionCalibration(int64_t num_classes, double portion);

  /// Counts the pixels of one prediction, [C, H, W] class probabilities.
  void Add(const at::Tensor& class_probs);

  /// Sets the cuts from what Add counted (a class no pixel went to: cut 1).
  void Finish();

  /// `class_probs` [C, H, W] with each pixel's top probability p (class c) mapped to
  /// p' = CalibratedScores(p, cut_c). Above the cut the other classes are
  /// scaled by (1 - p') / (1 - p), so the pixel still sums to 1; at or below it all
  /// are scaled by p' / p (the pixel sums to less than 1; below the cut no labeler at
  /// the calibrated cut keeps it). Every pixel keeps its most probable class.
  at::Tensor Apply(const at::Tensor& class_probs) const;

  const std::vector<double>& cuts() const { return cuts_; }

  /// "name:cut (pixels counted), ..." for logs and provenance.
  std::string Describe(const std::vector<std::string>& class_names) const;

 private:
  static constexpr int64_t kBins = 1000;
  double portion_;
  at::Tensor histogram_;  // [C, kBins] int64: pixels by argmax class and top probability.
  std::vector<double> cuts_;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_SCORE_CALIBRATION_H_
