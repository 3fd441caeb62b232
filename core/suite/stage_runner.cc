// Stage recipes, execution and done markers.
#include "core/suite/stage_runner.h"

#include <algorithm>
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
#include "core/file_bytes.h"
#include "core/logging.h"
#include "core/sha256.h"
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

// The files a finished stage leaves for its consumers (model_final.pt,
// backbone.pt, pseudo_labels.pt, logs...): everything in its folder but the
// suite's own recipe, log and marker.
std::vector<fs::path> StageOutputs(const fs::path& dir) {
  const StageFiles files(dir);
  std::vector<fs::path> outputs;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const fs::path& path = entry.path();
    if (!entry.is_regular_file(error) || path == files.recipe() || path == files.log() ||
        path == files.outputs() || path == files.done()) {
      continue;
    }
    outputs.push_back(path);
  }
  std::sort(outputs.begin(), outputs.end());
  return outputs;
}

// [outputs]: file name -> { bytes, sha256 }. Kept apart from the done marker,
// which holds only what the stage computed (outputs such as logs carry times).
absl::StatusOr<toml::table> OutputDigests(const fs::path& dir) {
  toml::table outputs;
  for (const fs::path& file : StageOutputs(dir)) {
    STLAB_ASSIGN_OR_RETURN(std::string digest, Sha256HexOfFile(file));
    std::error_code error;
    toml::table entry;
    entry.insert("bytes", static_cast<int64_t>(fs::file_size(file, error)));
    entry.insert("sha256", digest);
    outputs.insert(file.filename().string(), std::move(entry));
  }
  return outputs;
}

// An error naming the first output that is missing or differs from what the
// marker recorded.
absl::Status VerifyStageOutputs(const fs::path& dir) {
  const fs::path file = StageFiles(dir).outputs();
  std::error_code error;
  if (!fs::exists(file, error)) {
    return RecipeError(file, "is missing (a stage finished by an stlab before stage outputs "
                             "carried checksums, or damaged)");
  }
  STLAB_ASSIGN_OR_RETURN(toml::table manifest, config_internal::ParseTomlFile(file));
  const toml::table* outputs = manifest["outputs"].as_table();
  if (outputs == nullptr) return RecipeError(file, "expected [outputs]");
  for (const auto& [name, node] : *outputs) {
    const fs::path output = dir / std::string(name.str());
    const std::optional<int64_t> bytes = node.as_table() ? (*node.as_table())["bytes"].value<int64_t>()
                                                         : std::nullopt;
    const std::optional<std::string> sha256 =
        node.as_table() ? (*node.as_table())["sha256"].value<std::string>() : std::nullopt;
    if (!bytes || !sha256) {
      return RecipeError(file, absl::StrCat("outputs.", std::string(name.str()),
                                            ": expected { bytes, sha256 }"));
    }
    const uintmax_t size = fs::file_size(output, error);
    if (error) return RecipeError(output, "a recorded output of the stage is missing");
    if (static_cast<int64_t>(size) != *bytes) {
      return RecipeError(output, absl::StrCat("has ", size, " bytes; the stage wrote ", *bytes));
    }
    STLAB_ASSIGN_OR_RETURN(const std::string digest, Sha256HexOfFile(output));
    if (digest != *sha256) {
      return RecipeError(output, "differs from what the stage wrote (SHA-256 mismatch)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteStageRecipe(const SuitePlan& plan, const Stage& stage) {
  const StageFiles files(plan.StageDir(stage.id));
  const std::string text = RecipeText(plan, stage);
  std::error_code error;
  if (fs::exists(files.recipe(), error)) {
    STLAB_ASSIGN_OR_RETURN(const std::string existing, ReadFileBytes(files.recipe(), "stage recipe"));
    if (existing == text) return absl::OkStatus();
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
  STLAB_ASSIGN_OR_RETURN(toml::table outputs, OutputDigests(dir));
  toml::table manifest;
  manifest.insert("outputs", std::move(outputs));
  std::ostringstream manifest_text;
  manifest_text << manifest << "\n";
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(files.outputs(), manifest_text.str()));
  std::ostringstream out;
  out << done << "\n";
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(files.done(), out.str()));
  return metrics;
}

bool StageMarked(const fs::path& dir) {
  std::error_code error;
  return fs::exists(StageFiles(dir).done(), error);
}

bool StageDone(const fs::path& dir) {
  if (!StageMarked(dir)) return false;
  absl::Status status = ReadStageMetrics(dir).status();
  if (status.ok()) status = VerifyStageOutputs(dir);
  if (!status.ok()) {
    LogWarning(absl::StrCat(status.message(), "; the stage will be computed again"));
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
