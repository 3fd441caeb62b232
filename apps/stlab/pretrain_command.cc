// `stlab pretrain CONFIG`: pre-trains the config's backbone (supervised or SimCLR) in
// run.output_dir/run.name, resuming from its checkpoint when the folder holds one,
// and prints where the backbone went and the final metrics.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/engine/pretraining.h"
#include "core/logging.h"

namespace stlab::cli {

int RunPretrainCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  if (args.size() != 1) {
    std::cerr << "usage: stlab pretrain CONFIG [--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const PretrainFiles files(RunDirOf(*config));
  if (absl::Status s = StartRunLog(files.dir, files.log().filename(), options.log_level); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  LogInfo(absl::StrCat("run folder ", files.dir.string()));
  absl::StatusOr<PretrainResult> result = Pretrain(*config, registries);
  if (!result.ok()) {
    LogError(std::string(result.status().message()));
    return 1;
  }
  std::cout << "run: " << files.dir.string() << "\n";
  std::cout << "backbone: " << files.backbone().string() << "\n";
  PrintMetrics(result->metrics);
  return 0;
}

}  // namespace stlab::cli
