// Console progress of a training run: a bar with rate and ETA on a terminal, or a
// plain line per report when stderr is a file or pipe (CI logs).
#ifndef STLAB_CORE_ENGINE_PROGRESS_H_
#define STLAB_CORE_ENGINE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "core/export.h"

namespace stlab {

class STLAB_API ProgressBar {
 public:
  /// Counts iterations from `start` (a resumed run) to `total`.
  ProgressBar(int64_t start, int64_t total);
  /// Reports that `iteration` iterations are done; `detail` is appended (losses).
  /// On a terminal redraws the bar (at most ~10 times a second); otherwise prints
  /// a line when `force` is set.
  void Update(int64_t iteration, const std::string& detail, bool force);
  /// Ends the bar's line.
  void Finish();

  /// "1h02m", "3m07s", "12s".
  static std::string FormatDuration(double seconds);

 private:
  int64_t start_;
  int64_t total_;
  bool terminal_;
  std::chrono::steady_clock::time_point begin_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PROGRESS_H_
