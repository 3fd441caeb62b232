// Hard pseudo labels by confidence threshold, for detection and segmentation.
#ifndef STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_
#define STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_

#include "core/pseudo_labeler.h"

namespace stlab::self_training {

/// Detection: keeps the teacher's boxes (already NMS-ed by the head) whose score
/// is >= threshold. Images left without boxes are kept as all-background when
/// `keep_empty`, else dropped.
class DetectionThresholdLabeler : public PseudoLabeler {
 public:
  DetectionThresholdLabeler(double threshold, bool keep_empty)
      : threshold_(threshold), keep_empty_(keep_empty) {}
  absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                              const Prediction& teacher) const override;

 private:
  double threshold_;
  bool keep_empty_;
};

/// Segmentation: per-pixel argmax where the top class probability is >=
/// threshold, kIgnoreLabel elsewhere.
class SegmentationThresholdLabeler : public PseudoLabeler {
 public:
  explicit SegmentationThresholdLabeler(double threshold) : threshold_(threshold) {}
  absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                              const Prediction& teacher) const override;

 private:
  double threshold_;
};

}  // namespace stlab::self_training

#endif  // STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_
