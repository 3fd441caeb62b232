// Label-prior calibration: a dataset-level pass over a teacher's detections on the
// whole unlabeled pool that puts each class's score cut where the pool keeps as
// many boxes of that class per image as the human labels have.
//
// A single score threshold keeps the classes the teacher is sure of and drops the
// rest (strong augmentation makes a teacher unsure of every class, and rare or hard
// classes fall below any common cut). The human labels say how many objects of
// each class an image holds; matching that count needs no hidden label, and where
// the teacher ranks its detections well it keeps about as many true boxes as it
// misses (precision near recall, the break-even point of the precision-recall
// curve).
#ifndef STLAB_CORE_ENGINE_LABEL_PRIOR_H_
#define STLAB_CORE_ENGINE_LABEL_PRIOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Boxes per image of each of `num_classes` classes in `labeled`, counted over at
/// most `max_images` of its images, evenly spaced (all of them when it has fewer).
/// An image whose labels name a class outside [0, num_classes) is an error naming it.
STLAB_API absl::StatusOr<std::vector<double>> BoxesPerImageByClass(const Dataset& labeled,
                                                                   int64_t num_classes,
                                                                   int64_t max_images);

/// Per-class score cuts fitted on a pool's detections, and the monotone score map
/// that moves each class's cut to kLabelPriorCut.
class STLAB_API LabelPriorCalibration {
 public:
  /// The calibrated score of each class's cut: a labeler thresholding at it keeps,
  /// over the fitted pool, the human labels' boxes per image of every class.
  static constexpr double kLabelPriorCut = 0.5;

  /// For class c, the cut is the score of the k-th best detection of class c over
  /// `pool`, k = round(boxes_per_image[c] * pool.size()): every detection of the
  /// class when the pool holds fewer than k; none (cut 1) when k is 0.
  static LabelPriorCalibration Fit(const std::vector<double>& boxes_per_image,
                                   const std::vector<Detections>& pool);

  /// `detections` with each score s of class c mapped piecewise linearly,
  /// [0, cut_c] -> [0, kLabelPriorCut] and [cut_c, 1] -> [kLabelPriorCut, 1]: the
  /// order of the boxes within a class is kept, and thresholds below or above the
  /// cut (an ignore band, say) keep their meaning relative to it.
  Detections Apply(const Detections& detections) const;

  /// Each class's raw score cut.
  const std::vector<double>& cuts() const { return cuts_; }

  /// "name:cut (target boxes/image), ..." for logs and provenance.
  std::string Describe(const std::vector<std::string>& class_names) const;

 private:
  std::vector<double> cuts_;
  std::vector<double> boxes_per_image_;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_LABEL_PRIOR_H_
