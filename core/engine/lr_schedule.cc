// Warmup + cosine / step / constant learning-rate schedule.
#include "core/engine/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/strings/str_cat.h"

namespace stlab {

absl::Status ValidateLrSchedule(const LrScheduleOptions& o) {
  if (!(o.base_lr > 0)) return absl::InvalidArgumentError("base_lr must be > 0");
  if (o.total_iterations < 1) return absl::InvalidArgumentError("total_iterations must be >= 1");
  if (o.warmup_iterations < 0 || o.warmup_iterations > o.total_iterations) {
    return absl::InvalidArgumentError(absl::StrCat("warmup_iterations must be in [0, ",
                                                   o.total_iterations, "], got ",
                                                   o.warmup_iterations));
  }
  for (size_t i = 0; i < o.steps.size(); ++i) {
    if (o.steps[i] <= 0 || o.steps[i] >= o.total_iterations ||
        (i > 0 && o.steps[i] <= o.steps[i - 1])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "steps must be ascending iterations inside (0, ", o.total_iterations, "), got ",
          o.steps[i], " at position ", i));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LrDecay> ParseLrDecay(const std::string& name) {
  if (name == "constant") return LrDecay::kConstant;
  if (name == "cosine") return LrDecay::kCosine;
  if (name == "step") return LrDecay::kStep;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown learning-rate decay '", name, "'; expected constant, cosine or step"));
}

double LearningRateAt(const LrScheduleOptions& o, int64_t iteration) {
  const int64_t it = std::clamp<int64_t>(iteration, 0, o.total_iterations - 1);
  double factor = 1.0;
  switch (o.decay) {
    case LrDecay::kConstant:
      break;
    case LrDecay::kCosine: {
      const double progress = static_cast<double>(it) / static_cast<double>(o.total_iterations);
      factor = o.final_factor +
               (1.0 - o.final_factor) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
      break;
    }
    case LrDecay::kStep:
      for (int64_t step : o.steps) {
        if (it >= step) factor *= o.gamma;
      }
      break;
  }
  if (it < o.warmup_iterations) {
    const double alpha = static_cast<double>(it) / static_cast<double>(o.warmup_iterations);
    factor *= o.warmup_factor * (1.0 - alpha) + alpha;
  }
  return o.base_lr * factor;
}

}  // namespace stlab
