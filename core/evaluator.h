// Evaluator interface: accumulates predictions against ground truth into metrics.
#ifndef STLAB_CORE_EVALUATOR_H_
#define STLAB_CORE_EVALUATOR_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Metric name -> value, e.g. {"AP": 0.41, "AP50": 0.62} or {"mIoU": 0.7}.
using Metrics = std::map<std::string, double>;

/// One evaluation pass: Add() every image, then Compute(). Not thread-safe.
class STLAB_API Evaluator {
 public:
  virtual ~Evaluator() = default;

  /// Adds one image's ground truth and the model's prediction for it.
  virtual absl::Status Add(const Sample& ground_truth, const Prediction& prediction) = 0;

  /// Metrics over everything added so far.
  virtual absl::StatusOr<Metrics> Compute() const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_EVALUATOR_H_
