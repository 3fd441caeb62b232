// Planning a suite's stage graph.
#include "core/suite/stage_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/config/validated_config.h"
#include "core/engine/teacher_tta.h"
#include "core/sha256.h"
#include "core/status.h"
#include "core/version.h"
#include "torch/version.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;

// Every stage runs with the same name and output folder (the executor gives it
// its cache folder), so that these do not enter its hash.
const std::vector<std::string>& StageRunOverrides() {
  static const std::vector<std::string> overrides = {"run.name=\"stage\"", "run.output_dir=\".\""};
  return overrides;
}

// What a model's training does without in a suite: every model is evaluated in a
// stage of its own, so these do not enter the training stages' hashes.
const std::vector<std::string>& EvaluationTables() {
  static const std::vector<std::string> tables = {"data.val", "eval"};
  return tables;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// What each kind of stage reads of its resolved config, declared once: the tables
// or single keys (`keep`; empty: all) that enter its hash, minus those in `drop`.
// What reaches a stage through an upstream stage (the teacher's model, data and
// seed for pseudo-labeling; the model for evaluation) enters through that stage's
// hash. core/suite/stage_plan_test.cc changes every parameter of the schema's
// [self_training] and checks that exactly the stages that read it change.
struct StageKeys {
  std::vector<std::string> keep;
  std::vector<std::string> drop;
};

const StageKeys& KeysOf(StageKind kind) {
  static const auto* const kKeys = new std::map<StageKind, StageKeys>{
      {StageKind::kPretrain, {{}, {}}},
      // The run's model on the human labels: a baseline and a teacher are one stage.
      {StageKind::kTrain, {{}, {"self_training", "data.val", "eval"}}},
      {StageKind::kPseudoLabel,
       {{"self_training.pseudo_labeler", "self_training.unlabeled_pool",
         "self_training.audit_images", "self_training.teacher_flip", "self_training.teacher_scales",
         "self_training.teacher_tta_nms_iou", "self_training.teacher_tta_max_detections",
         "self_training.score_calibration", "self_training.label_prior_images",
         "self_training.class_portion",
         "data.unlabeled", "eval"},
        {}}},
      // A student reads the pool (its images) but not how it was labeled, and a round
      // does not depend on how many follow it.
      {StageKind::kStudent,
       {{},
        {"data.val", "eval", "self_training.pseudo_labeler", "self_training.audit_images",
         "self_training.teacher_flip", "self_training.teacher_scales",
         "self_training.teacher_tta_nms_iou", "self_training.teacher_tta_max_detections",
         "self_training.score_calibration", "self_training.label_prior_images",
         "self_training.class_portion",
         "self_training.rounds", "self_training.teacher_checkpoint"}}},
      {StageKind::kEvaluate, {{"data.val", "eval"}, {}}}};
  return kKeys->at(kind);
}

// The name of a TOML header line's table ("[a.b]" and "[[a.b]]" -> "a.b"), or "".
std::string TableOf(absl::string_view line) {
  if (!absl::StartsWith(line, "[")) return "";
  line = absl::StripPrefix(absl::StripPrefix(line, "["), "[");
  line = absl::StripSuffix(absl::StripSuffix(line, "]"), "]");
  return std::string(line);
}

bool UnderAny(const std::string& table, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
    return table == p || absl::StartsWith(table, p + ".");
  });
}

// `toml` (ValidatedConfig::ToToml's layout: a header line per table, one line per
// key) with the keys that `keys` selects: a key line is kept when its full path
// ("table.key") is under a `keep` entry (or `keep` is empty) and under no `drop`
// entry; a header line when its table is under no `drop` entry and has kept keys
// or is under a `keep` entry.
std::string SelectKeys(const std::string& toml, const StageKeys& keys) {
  auto selected = [&keys](const std::string& path) {
    return (keys.keep.empty() || UnderAny(path, keys.keep)) && !UnderAny(path, keys.drop);
  };
  std::string out;
  std::string table;
  std::string header;  // Written before the first kept key of its table.
  for (absl::string_view line : absl::StrSplit(toml, '\n')) {
    if (const std::string name = TableOf(line); !name.empty()) {
      table = name;
      header = std::string(line);
      if (selected(table)) {
        absl::StrAppend(&out, header, "\n");
        header.clear();
      }
      continue;
    }
    const size_t eq = line.find(" = ");
    if (eq == absl::string_view::npos) continue;  // Blank lines and comments.
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    if (!selected(table.empty() ? key : absl::StrCat(table, ".", key))) continue;
    if (!header.empty() && !UnderAny(table, keys.drop)) {
      absl::StrAppend(&out, header, "\n");
      header.clear();
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

struct StageRecipe {
  std::vector<fs::path> layers;
  std::vector<std::string> overrides;
  std::vector<std::string> unset;
};

absl::StatusOr<ValidatedConfig> Resolve(const StageRecipe& recipe, const Registries& registries,
                                        const std::string& context) {
  absl::StatusOr<ConfigDocument> document =
      LoadStageConfig(recipe.layers, recipe.overrides, recipe.unset);
  absl::StatusOr<ValidatedConfig> config =
      document.ok() ? ValidateConfig(*document, ExperimentSchema(), registries)
                    : absl::StatusOr<ValidatedConfig>(document.status());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(context, ": ", config.status().message()));
  }
  return config;
}

std::string CodeVersion(const Registries& registries) {
  std::vector<std::string> plugins;
  for (const PluginInfo& plugin : registries.loaded_plugins()) {
    plugins.push_back(absl::StrCat(plugin.name, " ", plugin.version));
  }
  std::sort(plugins.begin(), plugins.end());
  return absl::StrCat("stlab ", kStlabVersion, "; libtorch ", TORCH_VERSION, "; plugins: ",
                      absl::StrJoin(plugins, ", "));
}

class Planner {
 public:
  Planner(const SuiteSpec& suite, const Registries& registries)
      : suite_(suite), registries_(registries) {
    plan_.cache_dir = fs::absolute(suite.cache_dir).lexically_normal();
    plan_.code_version = CodeVersion(registries);
  }

  absl::StatusOr<SuitePlan> Plan() && {
    for (SuiteCell& cell : ExpandSuite(suite_)) {
      STLAB_ASSIGN_OR_RETURN(PlannedRun run, PlanRun(std::move(cell)));
      plan_.runs.push_back(std::move(run));
    }
    return std::move(plan_);
  }

 private:
  absl::StatusOr<PlannedRun> PlanRun(SuiteCell cell) {
    PlannedRun run;
    const std::string context = absl::StrCat("run [", cell.Name(), "]");
    std::vector<std::string> overrides = Concat(cell.overrides, StageRunOverrides());
    // The text that stands for the backbone file in hashes: the stage, not where
    // the cache happens to be.
    std::vector<std::pair<std::string, std::string>> placeholders;
    if (!cell.pretrain.empty()) {
      StageRecipe pretrain{{cell.pretrain}, Concat(cell.pretrain_overrides, StageRunOverrides()), {}};
      STLAB_ASSIGN_OR_RETURN(ValidatedConfig config,
                             Resolve(pretrain, registries_, context + " pre-training"));
      const std::string id = Add(StageKind::kPretrain, pretrain,
                                 SelectKeys(config.ToToml(), KeysOf(StageKind::kPretrain)), {}, {});
      const std::string backbone = (plan_.StageDir(id) / "backbone.pt").string();
      overrides.push_back(absl::StrCat("model.init={_replace_=true, type=\"checkpoint\", path=\"",
                                       backbone, "\"}"));
      placeholders.emplace_back(backbone, "stage:" + id);
    }
    auto text_of = [&placeholders](const ValidatedConfig& config) {
      return absl::StrReplaceAll(config.ToToml(), placeholders);
    };
    const std::vector<std::string> pretrain_dependency =
        placeholders.empty() ? std::vector<std::string>{}
                             : std::vector<std::string>{placeholders[0].second.substr(6)};

    // Training on the human labels: the run's model, or its teacher. Without its
    // [self_training] table, so that a baseline and a teacher are one stage.
    StageRecipe train{cell.layers, overrides, Concat({"self_training"}, EvaluationTables())};
    STLAB_ASSIGN_OR_RETURN(ValidatedConfig train_config, Resolve(train, registries_, context));
    run.train_stage = Add(StageKind::kTrain, train,
                          SelectKeys(text_of(train_config), KeysOf(StageKind::kTrain)), {},
                          pretrain_dependency);
    StageRecipe evaluate{cell.layers, overrides, {"self_training"}};
    STLAB_ASSIGN_OR_RETURN(ValidatedConfig evaluate_config, Resolve(evaluate, registries_, context));
    if (evaluate_config.Component("data.val") == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          context, ": a suite evaluates every model on data.val; the experiment has no [data.val]"));
    }
    const std::string evaluation_text =
        SelectKeys(text_of(evaluate_config), KeysOf(StageKind::kEvaluate));
    run.train_evaluation = Add(StageKind::kEvaluate, evaluate, evaluation_text,
                               {{"model", run.train_stage}}, {});
    run.evaluation = run.train_evaluation;

    if (cell.self_training) {
      StageRecipe labeling{cell.layers, overrides, {}};
      STLAB_ASSIGN_OR_RETURN(ValidatedConfig config, Resolve(labeling, registries_, context));
      if (config.Component("self_training.pseudo_labeler") == nullptr ||
          config.Component("self_training.loss_combiner") == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            context, ": self-training needs [self_training.pseudo_labeler] and "
                     "[self_training.loss_combiner] in the experiment"));
      }
      if (!config.Section("self_training").GetString("teacher_checkpoint").empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            context, ": self_training.teacher_checkpoint is for `stlab self-train`; a suite "
                     "trains each run's teacher as a stage of its own"));
      }
      STLAB_RETURN_IF_ERROR(Annotate(TeacherTtaOptionsFrom(config.Section("self_training")).status(),
                                     context));
      const std::string labeling_text =
          SelectKeys(text_of(config), KeysOf(StageKind::kPseudoLabel));
      StageRecipe student{cell.layers, overrides, EvaluationTables()};
      STLAB_ASSIGN_OR_RETURN(ValidatedConfig student_config, Resolve(student, registries_, context));
      const std::string student_text =
          SelectKeys(text_of(student_config), KeysOf(StageKind::kStudent));
      std::string teacher = run.train_stage;
      const int64_t rounds = config.Section("self_training").GetInt("rounds");
      for (int64_t round = 1; round <= rounds; ++round) {
        const std::string labels =
            Add(StageKind::kPseudoLabel, labeling, labeling_text, {{"teacher", teacher}}, {});
        teacher = Add(StageKind::kStudent, student, student_text, {{"pseudo_labels", labels}},
                      pretrain_dependency);
        run.student_stages.push_back(teacher);
      }
      run.evaluation =
          Add(StageKind::kEvaluate, labeling, evaluation_text, {{"model", teacher}}, {});
    }
    run.cell = std::move(cell);
    return run;
  }

  // Adds the stage (once per hash) and returns its id.
  std::string Add(StageKind kind, const StageRecipe& recipe, const std::string& config_text,
                         const std::map<std::string, std::string>& inputs,
                         const std::vector<std::string>& extra_dependencies) {
    // v2: each kind's text is the keys it declares (KeysOf).
    std::string hashed = absl::StrCat("stlab stage v2\nkind: ", StageKindName(kind),
                                      "\ncode: ", plan_.code_version, "\n");
    Stage stage;
    for (const auto& [role, id] : inputs) {
      absl::StrAppend(&hashed, "input ", role, ": ", plan_.Find(id)->hash, "\n");
      stage.depends_on.push_back(id);
    }
    for (const std::string& id : extra_dependencies) {
      absl::StrAppend(&hashed, "uses: ", plan_.Find(id)->hash, "\n");
      stage.depends_on.push_back(id);
    }
    absl::StrAppend(&hashed, "config:\n", config_text);
    stage.kind = kind;
    stage.hash = Sha256Hex(hashed);
    stage.id = absl::StrCat(StageKindName(kind), "-", stage.hash.substr(0, 16));
    if (const Stage* existing = plan_.Find(stage.id)) return existing->id;
    stage.layers = recipe.layers;
    stage.overrides = recipe.overrides;
    stage.unset = recipe.unset;
    stage.inputs = inputs;
    plan_.stages.push_back(std::move(stage));
    return plan_.stages.back().id;
  }

  const SuiteSpec& suite_;
  const Registries& registries_;
  SuitePlan plan_;
};

}  // namespace

absl::StatusOr<ConfigDocument> LoadStageConfig(const std::vector<fs::path>& layers,
                                               const std::vector<std::string>& overrides,
                                               const std::vector<std::string>& unset) {
  STLAB_ASSIGN_OR_RETURN(ConfigDocument document, ConfigDocument::LoadLayers(layers, overrides));
  for (const std::string& key : unset) document.Erase(key);
  return document;
}

const char* StageKindName(StageKind kind) {
  switch (kind) {
    case StageKind::kPretrain: return "pretrain";
    case StageKind::kTrain: return "train";
    case StageKind::kPseudoLabel: return "pseudo_label";
    case StageKind::kStudent: return "student";
    case StageKind::kEvaluate: return "evaluate";
  }
  return "?";
}

absl::StatusOr<StageKind> StageKindFromName(const std::string& name) {
  for (StageKind kind : {StageKind::kPretrain, StageKind::kTrain, StageKind::kPseudoLabel,
                         StageKind::kStudent, StageKind::kEvaluate}) {
    if (name == StageKindName(kind)) return kind;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown stage kind '", name,
      "'; expected pretrain, train, pseudo_label, student or evaluate"));
}

const Stage* SuitePlan::Find(const std::string& id) const {
  for (const Stage& stage : stages) {
    if (stage.id == id) return &stage;
  }
  return nullptr;
}

std::set<std::string> SuitePlan::StagesNeededBy(const std::vector<std::string>& ids) const {
  std::set<std::string> seen;
  std::vector<std::string> todo = ids;
  while (!todo.empty()) {
    const std::string next = todo.back();
    todo.pop_back();
    if (!seen.insert(next).second) continue;
    for (const std::string& up : Find(next)->depends_on) todo.push_back(up);
  }
  return seen;
}

absl::StatusOr<SuitePlan> PlanSuite(const SuiteSpec& suite, const Registries& registries) {
  return Planner(suite, registries).Plan();
}

std::string DescribePlan(const SuitePlan& plan) {
  std::string out = absl::StrCat(plan.runs.size(), " runs, ", plan.stages.size(),
                                 " stages (cache: ", plan.cache_dir.string(), ")\n\nruns:\n");
  std::map<std::string, int> users;
  for (const PlannedRun& run : plan.runs) {
    std::vector<std::string> chain;
    // The run's stages in graph order.
    const std::set<std::string> seen = plan.StagesNeededBy(run.ResultStages());
    for (const Stage& stage : plan.stages) {
      if (seen.count(stage.id) > 0) {
        chain.push_back(stage.id);
        ++users[stage.id];
      }
    }
    absl::StrAppend(&out, "  ", run.cell.Name(), "\n    ", absl::StrJoin(chain, " -> "), "\n");
  }
  absl::StrAppend(&out, "\nstages:\n");
  for (const Stage& stage : plan.stages) {
    std::vector<std::string> inputs;
    for (const auto& [role, id] : stage.inputs) inputs.push_back(absl::StrCat(role, "=", id));
    absl::StrAppend(&out, "  ", stage.id, "  used by ", users[stage.id], " run(s)",
                    inputs.empty() ? "" : absl::StrCat("  inputs: ", absl::StrJoin(inputs, ", ")),
                    "\n");
  }
  return out;
}

}  // namespace stlab
