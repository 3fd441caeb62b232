// `stlab eval CONFIG --checkpoint PATH [--json OUT]`: evaluates saved weights (a
// run's checkpoint.pt or model_final.pt) on the config's data.val.
#include <iomanip>
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "core/atomic_file.h"
#include "core/engine/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/evaluation.h"
#include "core/engine/metrics_log.h"
#include "core/engine/task_model.h"

ABSL_FLAG(std::string, checkpoint, "", "eval: weights to evaluate (checkpoint.pt or model_final.pt)");
ABSL_DECLARE_FLAG(std::string, json);

namespace stlab::cli {
namespace {

absl::StatusOr<Metrics> EvaluateCheckpoint(const ValidatedConfig& config, const Registries& registries,
                                           const std::filesystem::path& checkpoint) {
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  absl::StatusOr<std::shared_ptr<const Dataset>> val = BuildDataset(config, registries, "data.val", seed);
  if (!val.ok()) return val.status();
  if (*val == nullptr) return absl::InvalidArgumentError("the config has no [data.val] to evaluate on");
  // The model's classes come from the training data, as when it was trained.
  absl::StatusOr<std::shared_ptr<const Dataset>> train =
      BuildDataset(config, registries, "data.train", seed);
  if (!train.ok()) return train.status();
  absl::StatusOr<std::shared_ptr<TaskModel>> model =
      BuildTaskModel(config, registries, (*train)->Info(), seed);
  if (!model.ok()) return model.status();
  if (absl::Status s = LoadCheckpoint(checkpoint, **model, nullptr, nullptr); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<Evaluator>> evaluator = BuildEvaluator(config, registries, (*val)->Info());
  if (!evaluator.ok()) return evaluator.status();
  EvaluationOptions options;
  options.batch_size = config.Section("eval").GetInt("batch_size");
  return EvaluateModel(**model, **val, **evaluator, options);
}

}  // namespace

int RunEvalCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  const std::string checkpoint = absl::GetFlag(FLAGS_checkpoint);
  if (args.size() != 1 || checkpoint.empty()) {
    std::cerr << "usage: stlab eval CONFIG --checkpoint PATH [--json OUT.json] [--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<Metrics> metrics = EvaluateCheckpoint(*config, registries, checkpoint);
  if (!metrics.ok()) {
    std::cerr << "error: " << metrics.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> entries;
  for (const auto& [name, value] : *metrics) {
    std::cout << std::left << std::setw(28) << name << " " << std::setprecision(6) << value << "\n";
    entries.push_back(absl::StrCat(JsonString(name), ": ", JsonNumber(value)));
  }
  if (const std::string out = absl::GetFlag(FLAGS_json); !out.empty()) {
    const std::string json = absl::StrCat("{", absl::StrJoin(entries, ", "), "}\n");
    if (absl::Status s = WriteFileAtomically(out, json); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace stlab::cli
