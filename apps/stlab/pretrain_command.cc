// `stlab pretrain CONFIG`: pre-trains the config's backbone ([pretrain.method]) in
// run.output_dir/run.name, resuming from its checkpoint when the folder holds one,
// and prints where the backbone went and the final metrics.
#include <iostream>
#include <variant>

#include "absl/strings/str_cat.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/engine/pretraining.h"
#include "core/logging.h"

namespace stlab::cli {
namespace {

int RunPretrain(const Invocation& invocation) {
  Registries registries;
  std::variant<ValidatedConfig, int> started =
      StartRunCommand(invocation, RunFiles("").log().filename(), registries);
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  const ValidatedConfig& config = std::get<ValidatedConfig>(started);
  const RunFiles files(RunDirOf(config));
  absl::StatusOr<PretrainResult> result = Pretrain(config, registries);
  if (!result.ok()) {
    LogError(std::string(result.status().message()));
    return 1;
  }
  std::cout << "run: " << files.dir.string() << "\n";
  std::cout << "backbone: " << files.backbone().string() << "\n";
  PrintMetrics(result->metrics);
  return 0;
}

}  // namespace

STLAB_COMMAND({"pretrain", "CONFIG",
               "pre-train the config's backbone with [pretrain.method] into RUN/backbone.pt "
               "(resumes)",
               {},
               RunPretrain});

}  // namespace stlab::cli
