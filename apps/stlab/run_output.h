// What the commands that run a config share: the run's log file and printing metrics.
#ifndef STLAB_APPS_STLAB_RUN_OUTPUT_H_
#define STLAB_APPS_STLAB_RUN_OUTPUT_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "core/evaluator.h"

namespace stlab::cli {

/// Creates `dir` and sends the log to the console at `level` and to `dir / file`.
absl::Status StartRunLog(const std::filesystem::path& dir, const std::string& file,
                         const std::string& level);

/// Prints one "name value" line per metric, each prefixed by `indent`.
void PrintMetrics(const Metrics& metrics, const std::string& indent = "");

}  // namespace stlab::cli

#endif  // STLAB_APPS_STLAB_RUN_OUTPUT_H_
