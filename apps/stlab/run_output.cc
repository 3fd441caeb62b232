// Run logs and metric printing for the commands.
#include "apps/stlab/run_output.h"

#include <iomanip>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "apps/stlab/plugin_host.h"
#include "core/engine/trainer.h"
#include "core/logging.h"

namespace stlab::cli {

absl::Status StartRunLog(const std::filesystem::path& dir, const std::string& file,
                         const std::string& level) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create run folder '", dir.string(), "': ", error.message()));
  }
  return ConfigureLogging(level, dir / file);
}

std::variant<ValidatedConfig, int> LoadCommandConfig(const Invocation& invocation,
                                                     Registries& registries) {
  if (invocation.args.size() != 1) {
    return UsageError(invocation, absl::StrCat("stlab ", invocation.command->name,
                                               " takes one CONFIG, got ", invocation.args.size(),
                                               " arguments"));
  }
  absl::StatusOr<ValidatedConfig> config =
      LoadConfig(invocation.args[0], invocation.common, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  return *std::move(config);
}

std::variant<ValidatedConfig, int> StartRunCommand(const Invocation& invocation,
                                                   const std::string& log_file,
                                                   Registries& registries) {
  std::variant<ValidatedConfig, int> config = LoadCommandConfig(invocation, registries);
  if (std::holds_alternative<int>(config)) return config;
  const std::filesystem::path dir = RunDirOf(std::get<ValidatedConfig>(config));
  if (absl::Status s = StartRunLog(dir, log_file, invocation.common.log_level); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  LogInfo(absl::StrCat("run folder ", dir.string()));
  return config;
}

void PrintMetrics(const Metrics& metrics, const std::string& indent) {
  for (const auto& [name, value] : metrics) {
    std::cout << indent << std::left << std::setw(28) << name << " " << std::setprecision(6)
              << value << "\n";
  }
}

}  // namespace stlab::cli
