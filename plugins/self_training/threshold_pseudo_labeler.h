// Hard pseudo labels by confidence threshold, for detection and segmentation.
#ifndef STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_
#define STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_

#include "core/pseudo_labeler.h"

namespace stlab::self_training {

/// Detection: keeps the teacher's boxes (already NMS-ed by the head) whose score
/// is >= threshold. Images left without boxes are kept as all-background when
/// `keep_empty`, else dropped. With `soft`, each kept box's class target is the
/// teacher's score (Sample::label_scores) instead of 1. Boxes scoring in
/// [ignore_threshold, threshold) become ignore regions (Sample::ignore_boxes): the
/// student learns neither object nor background there, so that objects the teacher
/// is unsure of are not all taught as background (Efficient Teacher's
/// ignore_thres_low/high); ignore_threshold >= threshold turns this off.
class DetectionThresholdLabeler : public PseudoLabeler {
 public:
  DetectionThresholdLabeler(double threshold, bool keep_empty, bool soft,
                            double ignore_threshold = 1.0)
      : threshold_(threshold),
        keep_empty_(keep_empty),
        soft_(soft),
        ignore_threshold_(ignore_threshold) {}
  absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                              const Prediction& teacher) const override;

 private:
  double threshold_;
  bool keep_empty_;
  bool soft_;
  double ignore_threshold_;
};

/// Segmentation: per-pixel argmax where the top class probability is >=
/// threshold, kIgnoreLabel elsewhere. With `soft`, the labeled pixels' targets are
/// the teacher's class probabilities (Sample::soft_mask, quantized to 1/255).
class SegmentationThresholdLabeler : public PseudoLabeler {
 public:
  SegmentationThresholdLabeler(double threshold, bool soft) : threshold_(threshold), soft_(soft) {}
  absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                              const Prediction& teacher) const override;

 private:
  double threshold_;
  bool soft_;
};

}  // namespace stlab::self_training

#endif  // STLAB_PLUGINS_SELF_TRAINING_THRESHOLD_PSEUDO_LABELER_H_
