// The stlab subcommands. Each takes its positional arguments (after the command
// word) and returns the process exit code: 0 success, 1 failure, 2 usage error.
#ifndef STLAB_APPS_STLAB_COMMANDS_H_
#define STLAB_APPS_STLAB_COMMANDS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace stlab::cli {

/// Options every command shares.
struct CommonOptions {
  std::vector<std::filesystem::path> plugin_paths;  ///< --plugin_path
  std::vector<std::string> overrides;               ///< --set key=value, in order
  std::string log_level = "info";                   ///< --log_level
};

/// `stlab plugins` and `stlab plugins show NAME`.
int RunPluginsCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab validate CONFIG...`.
int RunValidateCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab evaluate coco --gt GT --dets DETS [--json OUT]`.
int RunEvaluateCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab train CONFIG`: trains (or resumes) the config's run and evaluates it.
int RunTrainCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab pretrain CONFIG`: pre-trains (or resumes) the config's backbone and writes
/// backbone.pt for [model.init] type = "checkpoint".
int RunPretrainCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab eval CONFIG --checkpoint PATH [--json OUT]`: evaluates saved weights on
/// the config's data.val.
int RunEvalCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab self-train CONFIG`: teacher, pseudo labels and student, resumable.
int RunSelfTrainCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab pseudo-label CONFIG --checkpoint PATH --output_dir DIR`.
int RunPseudoLabelCommand(const std::vector<std::string>& args, const CommonOptions& options);

int RunSuiteCommand(const std::vector<std::string>& args, const CommonOptions& options);

/// `stlab augment-preview CONFIG --output_dir DIR [--images N] [--seed S]`.
int RunAugmentPreviewCommand(const std::vector<std::string>& args, const CommonOptions& options);

}  // namespace stlab::cli

#endif  // STLAB_APPS_STLAB_COMMANDS_H_
