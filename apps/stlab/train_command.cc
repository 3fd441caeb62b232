// `stlab train CONFIG`: trains the config's run in run.output_dir/run.name, resuming
// from its checkpoint when the folder holds one, and prints the final metrics.
#include <iomanip>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "core/engine/trainer.h"
#include "core/logging.h"

namespace stlab::cli {

int RunTrainCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  if (args.size() != 1) {
    std::cerr << "usage: stlab train CONFIG [--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const RunFiles files(RunDirOf(*config));
  std::error_code error;
  std::filesystem::create_directories(files.dir, error);
  if (error) {
    std::cerr << "error: cannot create run folder '" << files.dir.string() << "': "
              << error.message() << "\n";
    return 1;
  }
  if (absl::Status s = ConfigureLogging(options.log_level, files.log()); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  LogInfo(absl::StrCat("run folder ", files.dir.string()));
  absl::StatusOr<TrainResult> result = Train(*config, registries);
  if (!result.ok()) {
    LogError(std::string(result.status().message()));
    return 1;
  }
  std::cout << "run: " << files.dir.string() << "\n";
  for (const auto& [name, value] : result->metrics) {
    std::cout << std::left << std::setw(28) << name << " " << std::setprecision(6) << value << "\n";
  }
  return 0;
}

}  // namespace stlab::cli
