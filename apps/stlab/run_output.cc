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

std::variant<ValidatedConfig, int> StartRunCommand(const std::vector<std::string>& args,
                                                   const CommonOptions& options,
                                                   const std::string& usage,
                                                   const std::string& log_file,
                                                   Registries& registries) {
  if (args.size() != 1) {
    std::cerr << "usage: " << usage << "\n";
    return 2;
  }
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const std::filesystem::path dir = RunDirOf(*config);
  if (absl::Status s = StartRunLog(dir, log_file, options.log_level); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  LogInfo(absl::StrCat("run folder ", dir.string()));
  return *std::move(config);
}

void PrintMetrics(const Metrics& metrics, const std::string& indent) {
  for (const auto& [name, value] : metrics) {
    std::cout << indent << std::left << std::setw(28) << name << " " << std::setprecision(6)
              << value << "\n";
  }
}

}  // namespace stlab::cli
