// `stlab self-train CONFIG`: teacher, pseudo labels, student (for every round), as
// one resumable pipeline in run.output_dir/run.name; and `stlab pseudo-label CONFIG
// --checkpoint PATH --output_dir DIR`: the pseudo-labeling stage on its own.
#include <iostream>
#include <variant>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/engine/self_training.h"
#include "core/logging.h"

ABSL_DECLARE_FLAG(std::string, checkpoint);
ABSL_FLAG(std::string, output_dir, "",
          "pseudo-label, augment-preview: folder for the files written");

namespace stlab::cli {
int RunSelfTrainCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  Registries registries;
  std::variant<ValidatedConfig, int> started =
      StartRunCommand(args, options, "stlab self-train CONFIG [--set key=value]...",
                      "self_train.log", registries);
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

int RunPseudoLabelCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  const std::string checkpoint = absl::GetFlag(FLAGS_checkpoint);
  const std::string output_dir = absl::GetFlag(FLAGS_output_dir);
  if (args.size() != 1 || checkpoint.empty() || output_dir.empty()) {
    std::cerr << "usage: stlab pseudo-label CONFIG --checkpoint PATH --output_dir DIR "
                 "[--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const PseudoLabelFiles files{std::filesystem::path(output_dir)};
  absl::StatusOr<std::filesystem::path> labels =
      WritePseudoLabelsFor(*config, registries, checkpoint, files);
  if (!labels.ok()) {
    std::cerr << "error: " << labels.status().message() << "\n";
    return 1;
  }
  std::cout << "pseudo labels: " << labels->string() << "\n"
            << "summary: " << files.summary().string() << "\n"
            << "drawn: " << files.drawn().string() << "\n";
  return 0;
}

}  // namespace stlab::cli
