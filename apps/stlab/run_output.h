// What the commands that run a config share: loading it, the run's log file, and
// printing metrics.
#ifndef STLAB_APPS_STLAB_RUN_OUTPUT_H_
#define STLAB_APPS_STLAB_RUN_OUTPUT_H_

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "apps/stlab/command.h"
#include "core/config/validated_config.h"
#include "core/evaluator.h"
#include "registry/registries.h"

namespace stlab::cli {

/// How a command that runs one config starts: exactly one CONFIG argument (else a
/// usage error, exit code 2), loaded with the command line's --set and
/// --plugin_path and validated into `registries` (else the error, exit code 1).
/// Returns the config, or the exit code to return (the error already printed).
std::variant<ValidatedConfig, int> LoadCommandConfig(const Invocation& invocation,
                                                     Registries& registries);

/// LoadCommandConfig, then the log started in RunDirOf(config) / `log_file`: how
/// `train`, `pretrain` and `self-train` start.
std::variant<ValidatedConfig, int> StartRunCommand(const Invocation& invocation,
                                                   const std::string& log_file,
                                                   Registries& registries);

/// Creates `dir` and sends the log to the console at `level` and to `dir / file`.
absl::Status StartRunLog(const std::filesystem::path& dir, const std::string& file,
                         const std::string& level);

/// Prints one "name value" line per metric, each prefixed by `indent`.
void PrintMetrics(const Metrics& metrics, const std::string& indent = "");

}  // namespace stlab::cli

#endif  // STLAB_APPS_STLAB_RUN_OUTPUT_H_
