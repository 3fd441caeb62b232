// Learning-rate schedules over iterations: linear warmup, then cosine, step or
// constant decay (the schedules of the paper's and Detectron2's configs).
#ifndef STLAB_CORE_ENGINE_LR_SCHEDULE_H_
#define STLAB_CORE_ENGINE_LR_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

enum class LrDecay { kConstant, kCosine, kStep };

struct LrScheduleOptions {
  double base_lr = 0.01;
  int64_t total_iterations = 1;
  /// Iterations of linear warmup from base_lr * warmup_factor to base_lr.
  int64_t warmup_iterations = 0;
  double warmup_factor = 0.001;
  LrDecay decay = LrDecay::kCosine;
  /// kCosine: the rate ends at base_lr * final_factor.
  double final_factor = 0.0;
  /// kStep: iterations at which the rate is multiplied by `gamma` (ascending).
  std::vector<int64_t> steps;
  double gamma = 0.1;
};

/// Checks the options (positive counts, ascending steps within the run, ...).
STLAB_API absl::Status ValidateLrSchedule(const LrScheduleOptions& options);

/// "constant", "cosine" or "step".
STLAB_API absl::StatusOr<LrDecay> ParseLrDecay(const std::string& name);

/// The learning rate of `iteration` (0-based). Warmup multiplies the decayed rate,
/// as in Detectron2's WarmupParamScheduler. Past total_iterations the last rate
/// holds.
STLAB_API double LearningRateAt(const LrScheduleOptions& options, int64_t iteration);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_LR_SCHEDULE_H_
