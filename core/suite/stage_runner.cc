// Stage recipes, execution and done markers.
#include "core/suite/stage_runner.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/atomic_file.h"
#include "core/config/internal/toml_document.h"
#include "core/engine/evaluation.h"
#include "core/engine/pretraining.h"
#include "core/engine/pseudo_label_export.h"
#include "core/engine/pseudo_labels.h"
#include "core/engine/self_training.h"
#include "core/engine/trainer.h"
#include "core/logging.h"
#include "core/status.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;

std::string RecipeText(const SuitePlan& plan, const Stage& stage) {
  toml::table table;
  table.insert("id", stage.id);
  table.insert("kind", std::string(StageKindName(stage.kind)));
  table.insert("hash", stage.hash);
  toml::array layers;
  for (const fs::path& layer : stage.layers) layers.push_back(layer.string());
  table.insert("layers", std::move(layers));
  toml::array overrides;
  for (const std::string& o : stage.overrides) overrides.push_back(o);
  table.insert("set", std::move(overrides));
  toml::array unset;
  for (const std::string& key : stage.unset) unset.push_back(key);
  table.insert("unset", std::move(unset));
  toml::table inputs;
  for (const auto& [role, id] : stage.inputs) inputs.insert(role, plan.StageDir(id).string());
  table.insert("inputs", std::move(inputs));
  std::ostringstream out;
  out << "# A stage of an stlab suite (written by `stlab suite run`; run by `stlab suite stage "
         "DIR`).\n"
      << table << "\n";
  return out.str();
}

absl::Status RecipeError(const fs::path& file, const std::string& what) {
  return absl::DataLossError(absl::StrCat(file.string(), ": ", what));
}

}  // namespace

absl::Status WriteStageRecipe(const SuitePlan& plan, const Stage& stage) {
  const StageFiles files(plan.StageDir(stage.id));
  const std::string text = RecipeText(plan, stage);
  std::error_code error;
  if (fs::exists(files.recipe(), error)) {
    std::ifstream in(files.recipe(), std::ios::binary);
    std::stringstream existing;
    existing << in.rdbuf();
    if (existing.str() == text) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        files.recipe().string(), " holds a different recipe for stage ", stage.id,
        " (an edited cache folder?); remove ", files.dir.string(), " to recompute it"));
  }
  fs::create_directories(files.dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", files.dir.string(), ": ", error.message()));
  }
  return WriteFileAtomically(files.recipe(), text);
}

absl::StatusOr<StageRecipeFile> ReadStageRecipe(const fs::path& dir) {
  const StageFiles files(dir);
  STLAB_ASSIGN_OR_RETURN(toml::table table, config_internal::ParseTomlFile(files.recipe()));
  StageRecipeFile recipe;
  std::optional<std::string> kind = table["kind"].value<std::string>();
  std::optional<std::string> id = table["id"].value<std::string>();
  std::optional<std::string> hash = table["hash"].value<std::string>();
  const toml::array* layers = table["layers"].as_array();
  const toml::array* overrides = table["set"].as_array();
  const toml::array* unset = table["unset"].as_array();
  const toml::table* inputs = table["inputs"].as_table();
  if (!kind || !id || !hash || layers == nullptr || overrides == nullptr || unset == nullptr ||
      inputs == nullptr) {
    return RecipeError(files.recipe(), "expected kind, id, hash, layers, set, unset and [inputs]");
  }
  STLAB_ASSIGN_OR_RETURN(recipe.kind, StageKindFromName(*kind));
  recipe.id = *id;
  recipe.hash = *hash;
  for (const toml::node& layer : *layers) {
    std::optional<std::string> text = layer.value<std::string>();
    if (!text) return RecipeError(files.recipe(), "layers: expected strings");
    recipe.layers.emplace_back(*text);
  }
  for (const toml::node& o : *overrides) {
    std::optional<std::string> text = o.value<std::string>();
    if (!text) return RecipeError(files.recipe(), "set: expected strings");
    recipe.overrides.push_back(*text);
  }
  for (const toml::node& key : *unset) {
    std::optional<std::string> text = key.value<std::string>();
    if (!text) return RecipeError(files.recipe(), "unset: expected strings");
    recipe.unset.push_back(*text);
  }
  for (const auto& [role, node] : *inputs) {
    std::optional<std::string> text = node.value<std::string>();
    if (!text) return RecipeError(files.recipe(), "inputs: expected folder names");
    recipe.inputs[std::string(role.str())] = *text;
  }
  return recipe;
}

absl::StatusOr<Metrics> RunStage(const StageRecipeFile& recipe, const ValidatedConfig& config,
                                 const Registries& registries, const fs::path& dir) {
  const StageFiles files(dir);
  auto input = [&](const std::string& role) -> absl::StatusOr<fs::path> {
    auto it = recipe.inputs.find(role);
    if (it == recipe.inputs.end()) {
      return RecipeError(files.recipe(), absl::StrCat("missing input '", role, "'"));
    }
    if (!StageDone(it->second)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stage ", recipe.id, " needs ", it->second.string(), ", which has not finished"));
    }
    return it->second;
  };
  Metrics metrics;
  switch (recipe.kind) {
    case StageKind::kPretrain: {
      PretrainOptions options;
      options.show_progress = false;
      options.run_dir = dir;
      STLAB_ASSIGN_OR_RETURN(PretrainResult result, Pretrain(config, registries, options));
      metrics = result.metrics;
      break;
    }
    case StageKind::kTrain:
    case StageKind::kStudent: {
      TrainOptions options;
      options.show_progress = false;
      options.run_dir = dir;
      TrainResult result;
      if (recipe.kind == StageKind::kTrain) {
        STLAB_ASSIGN_OR_RETURN(result, Train(config, registries, options));
      } else {
        STLAB_ASSIGN_OR_RETURN(const fs::path labels, input("pseudo_labels"));
        STLAB_ASSIGN_OR_RETURN(result, TrainStudent(config, registries,
                                                    PseudoLabelFiles(labels).labels(), options));
      }
      metrics = result.metrics;
      break;
    }
    case StageKind::kPseudoLabel: {
      STLAB_ASSIGN_OR_RETURN(const fs::path teacher, input("teacher"));
      const PseudoLabelFiles labeling(dir);
      STLAB_RETURN_IF_ERROR(
          WritePseudoLabelsFor(config, registries, RunFiles(teacher).final_model(), labeling)
              .status());
      STLAB_ASSIGN_OR_RETURN(metrics, PseudoLabelSummaryMetrics(labeling.summary()));
      break;
    }
    case StageKind::kEvaluate: {
      STLAB_ASSIGN_OR_RETURN(const fs::path model, input("model"));
      STLAB_ASSIGN_OR_RETURN(metrics,
                             EvaluateWeights(config, registries, RunFiles(model).final_model()));
      break;
    }
  }
  toml::table done;
  done.insert("id", recipe.id);
  toml::table values;
  for (const auto& [name, value] : metrics) values.insert(name, value);
  done.insert("metrics", std::move(values));
  std::ostringstream out;
  out << done << "\n";
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(files.done(), out.str()));
  return metrics;
}

bool StageDone(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(StageFiles(dir).done(), error)) return false;
  if (absl::StatusOr<Metrics> metrics = ReadStageMetrics(dir); !metrics.ok()) {
    LogWarning(absl::StrCat(metrics.status().message(), "; the stage will be computed again"));
    return false;
  }
  return true;
}

absl::StatusOr<Metrics> ReadStageMetrics(const fs::path& dir) {
  const fs::path file = StageFiles(dir).done();
  STLAB_ASSIGN_OR_RETURN(toml::table done, config_internal::ParseTomlFile(file));
  const std::optional<std::string> id = done["id"].value<std::string>();
  if (!id || *id != dir.filename().string()) {
    return RecipeError(file, absl::StrCat("expected id = \"", dir.filename().string(),
                                          "\", the stage of its folder"));
  }
  const toml::table* values = done["metrics"].as_table();
  if (values == nullptr) return RecipeError(file, "expected [metrics]");
  Metrics metrics;
  for (const auto& [name, node] : *values) {
    std::optional<double> v = node.value<double>();
    if (!v) return RecipeError(file, absl::StrCat("metrics.", std::string(name.str()), ": expected a number"));
    metrics[std::string(name.str())] = *v;
  }
  return metrics;
}

}  // namespace stlab
