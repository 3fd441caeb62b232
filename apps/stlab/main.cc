// The stlab command-line tool: dispatches to subcommands.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "apps/stlab/commands.h"
#include "core/logging.h"
#include "core/malloc_tuning.h"

ABSL_FLAG(std::vector<std::string>, plugin_path, {},
          "Extra plugin folders or library files, comma-separated (also STLAB_PLUGIN_PATH)");
ABSL_FLAG(std::string, log_level, "info", "Console log level: trace, debug, info, warn, error");

namespace {

constexpr char kUsage[] =
    "stlab: pre-training vs self-training experiments\n\n"
    "usage: stlab COMMAND [args] [flags]\n\n"
    "commands:\n"
    "  plugins                 list loaded plugins and registered components\n"
    "  plugins show NAME       a component's parameters (NAME or KIND/NAME)\n"
    "  validate CONFIG...      check configs and print them fully resolved\n"
    "  train CONFIG            train the config's run (resumes an interrupted run)\n"
    "  pretrain CONFIG         pre-train the config's backbone (supervised or SimCLR,\n"
    "                          [pretrain]) into RUN/backbone.pt (resumes)\n"
    "  eval CONFIG --checkpoint PATH [--json OUT.json] [--detections_out DETS.json]\n"
    "                          evaluate saved weights on the config's data.val\n"
    "  self-train CONFIG       teacher -> pseudo labels -> student (resumable)\n"
    "  pseudo-label CONFIG --checkpoint PATH --output_dir DIR\n"
    "                          pseudo-label the unlabeled pool with a teacher\n"
    "  suite plan|run|report SUITE\n"
    "                          an experiment suite: its runs and stages, running them\n"
    "                          (cached, parallel, resumable), its report\n"
    "  augment-preview CONFIG --output_dir DIR [--images N] [--seed S]\n"
    "                          draw [augment] applied to data.train (original | augmented)\n"
    "  evaluate coco --gt GT.json --dets DETS.json [--json OUT.json]\n"
    "                          COCO bbox evaluation of result files (.gz accepted)\n\n"
    "flags:\n"
    "  --set key.path=value    override a config value (repeatable, TOML syntax)\n"
    "  --plugin_path=DIR,...   extra plugin folders or files\n"
    "  --log_level=LEVEL       trace, debug, info, warn, error\n";

// absl flags keep only the last value of a repeated flag, so `--set` (which is
// repeated by design) is taken out of argv before absl parses the rest.
std::vector<std::string> ExtractOverrides(std::vector<char*>& argv) {
  std::vector<std::string> overrides;
  std::vector<char*> rest;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string arg = argv[i];
    if (arg == "--set" && i + 1 < argv.size()) {
      overrides.emplace_back(argv[++i]);
    } else if (absl::StartsWith(arg, "--set=")) {
      overrides.push_back(arg.substr(6));
    } else {
      rest.push_back(argv[i]);
    }
  }
  argv = rest;
  return overrides;
}

}  // namespace

int main(int argc, char** argv) {
  stlab::RetainFreedTensorMemory();
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args(argv, argv + argc);
  stlab::cli::CommonOptions options;
  options.overrides = ExtractOverrides(args);
  std::vector<char*> positional = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (absl::Status s = stlab::ConfigureLogging(absl::GetFlag(FLAGS_log_level), std::nullopt);
      !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  options.log_level = absl::GetFlag(FLAGS_log_level);
  for (const std::string& p : absl::GetFlag(FLAGS_plugin_path)) options.plugin_paths.emplace_back(p);
  if (positional.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = positional[1];
  const std::vector<std::string> rest(positional.begin() + 2, positional.end());
  if (command == "plugins") return stlab::cli::RunPluginsCommand(rest, options);
  if (command == "validate") return stlab::cli::RunValidateCommand(rest, options);
  if (command == "evaluate") return stlab::cli::RunEvaluateCommand(rest, options);
  if (command == "train") return stlab::cli::RunTrainCommand(rest, options);
  if (command == "pretrain") return stlab::cli::RunPretrainCommand(rest, options);
  if (command == "eval") return stlab::cli::RunEvalCommand(rest, options);
  if (command == "self-train") return stlab::cli::RunSelfTrainCommand(rest, options);
  if (command == "pseudo-label") return stlab::cli::RunPseudoLabelCommand(rest, options);
  if (command == "suite") return stlab::cli::RunSuiteCommand(rest, options);
  if (command == "augment-preview") return stlab::cli::RunAugmentPreviewCommand(rest, options);
  if (command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "error: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
