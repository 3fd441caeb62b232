// COCO bbox AP as an Evaluator: collects ground truth and detections image by
// image, then runs the pycocotools-exact evaluation in coco/.
#ifndef STLAB_PLUGINS_EVALUATION_COCO_BBOX_EVALUATOR_H_
#define STLAB_PLUGINS_EVALUATION_COCO_BBOX_EVALUATOR_H_

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/evaluator.h"
#include "plugins/evaluation/coco/coco_eval.h"

namespace stlab::evaluation {

/// Metrics are the 12 COCO statistics named as in coco::kStatSpecs ("AP", "AP50",
/// ..., "ARl"). Ground-truth boxes become annotations with area = width * height
/// (box area, not mask area: datasets here carry boxes); `ignore_boxes` become
/// crowd annotations of every category, since an ignore region has no class.
/// Class index k maps to DatasetInfo::category_ids[k].
class CocoBboxEvaluator : public Evaluator {
 public:
  explicit CocoBboxEvaluator(const DatasetInfo& info);
  absl::Status Add(const Sample& ground_truth, const Prediction& prediction) override;
  absl::StatusOr<Metrics> Compute() const override;

  /// What has been collected, e.g. to write a COCO results file.
  const coco::GroundTruth& ground_truth() const { return ground_truth_; }
  const std::vector<coco::Detection>& detections() const { return detections_; }

 private:
  std::vector<int64_t> category_ids_;
  absl::flat_hash_set<int64_t> image_ids_;
  coco::GroundTruth ground_truth_;
  std::vector<coco::Detection> detections_;
};

}  // namespace stlab::evaluation

#endif  // STLAB_PLUGINS_EVALUATION_COCO_BBOX_EVALUATOR_H_
