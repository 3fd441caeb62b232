// `stlab self-train CONFIG`: teacher, pseudo labels, student (for every round), as
// one resumable pipeline in run.output_dir/run.name; and `stlab pseudo-label CONFIG
// --checkpoint PATH --output_dir DIR`: the pseudo-labeling stage on its own.
#include <iostream>
#include <variant>

#include "absl/strings/str_cat.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/engine/self_training.h"
#include "core/logging.h"

namespace stlab::cli {
namespace {

int RunSelfTrain(const Invocation& invocation) {
  Registries registries;
  std::variant<ValidatedConfig, int> started =
      StartRunCommand(invocation, "self_train.log", registries);
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  const ValidatedConfig& config = std::get<ValidatedConfig>(started);
  const SelfTrainingFiles files(RunDirOf(config));
  absl::StatusOr<SelfTrainingResult> result = SelfTrain(config, registries);
  if (!result.ok()) {
    LogError(std::string(result.status().message()));
    return 1;
  }
  std::cout << "run: " << files.dir.string() << "\n";
  if (!result->teacher.empty()) {
    std::cout << "teacher:\n";
    PrintMetrics(result->teacher, "  ");
  }
  for (size_t i = 0; i < result->students.size(); ++i) {
    std::cout << "student (round " << i + 1 << "):\n";
    PrintMetrics(result->students[i], "  ");
  }
  return 0;
}

int RunPseudoLabel(const Invocation& invocation) {
  const std::string checkpoint = invocation.Flag("checkpoint");
  const std::string output_dir = invocation.Flag("output_dir");
  if (checkpoint.empty() || output_dir.empty()) {
    return UsageError(invocation, "--checkpoint and --output_dir are required");
  }
  Registries registries;
  std::variant<ValidatedConfig, int> config = LoadCommandConfig(invocation, registries);
  if (const int* exit_code = std::get_if<int>(&config)) return *exit_code;
  const PseudoLabelFiles files{std::filesystem::path(output_dir)};
  absl::StatusOr<std::filesystem::path> labels = WritePseudoLabelsFor(
      std::get<ValidatedConfig>(config), registries, checkpoint, files);
  if (!labels.ok()) {
    std::cerr << "error: " << labels.status().message() << "\n";
    return 1;
  }
  std::cout << "pseudo labels: " << labels->string() << "\n"
            << "summary: " << files.summary().string() << "\n"
            << "drawn: " << files.drawn().string() << "\n";
  return 0;
}

}  // namespace

STLAB_COMMAND({"self-train", "CONFIG",
               "teacher -> pseudo labels -> student, every round, in one resumable run folder",
               {},
               RunSelfTrain});

STLAB_COMMAND({"pseudo-label", "CONFIG --checkpoint PATH --output_dir DIR",
               "pseudo-label the config's unlabeled pool with a teacher's weights",
               {{"checkpoint", "PATH", "the teacher's weights (model_final.pt or checkpoint.pt)"},
                {"output_dir", "DIR", "folder for the pseudo labels, summary and drawings"}},
               RunPseudoLabel});

}  // namespace stlab::cli
