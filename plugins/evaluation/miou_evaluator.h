// Semantic segmentation metrics from a confusion matrix: mean IoU, per-class IoU,
// pixel accuracy.
#ifndef STLAB_PLUGINS_EVALUATION_MIOU_EVALUATOR_H_
#define STLAB_PLUGINS_EVALUATION_MIOU_EVALUATOR_H_

#include <string>
#include <vector>

#include "core/evaluator.h"

namespace stlab::evaluation {

/// Accumulates a [C, C] confusion matrix (rows: ground truth, columns: prediction)
/// over pixels whose ground truth is not kIgnoreLabel. IoU_c = TP / (TP + FP + FN);
/// mIoU averages the classes with TP + FP + FN > 0 (a class that neither occurs
/// nor is predicted has no IoU and is reported as NaN).
class MeanIouEvaluator : public Evaluator {
 public:
  explicit MeanIouEvaluator(std::vector<std::string> class_names);
  absl::Status Add(const Sample& ground_truth, const Prediction& prediction) override;
  absl::StatusOr<Metrics> Compute() const override;

 private:
  std::vector<std::string> class_names_;
  std::vector<int64_t> confusion_;  // Row-major [C, C].
};

}  // namespace stlab::evaluation

#endif  // STLAB_PLUGINS_EVALUATION_MIOU_EVALUATOR_H_
