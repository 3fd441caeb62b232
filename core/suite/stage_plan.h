// The stage graph of a suite: pre-training, training (a baseline run and a
// self-training run's teacher are the same stage), pseudo-labeling, student
// training and evaluation. Each stage is named by the hash of everything that determines its
// result (its resolved config, its upstream stages' hashes, the code and plugin
// versions), so a stage that several runs or suites need is computed once and kept
// in a content-addressed cache folder.
#ifndef STLAB_CORE_SUITE_STAGE_PLAN_H_
#define STLAB_CORE_SUITE_STAGE_PLAN_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config/config_document.h"
#include "core/export.h"
#include "core/suite/suite_spec.h"
#include "registry/registries.h"

namespace stlab {

enum class StageKind { kPretrain, kTrain, kPseudoLabel, kStudent, kEvaluate };

/// "pretrain", "train", "pseudo_label", "student", "evaluate".
STLAB_API const char* StageKindName(StageKind kind);
STLAB_API absl::StatusOr<StageKind> StageKindFromName(const std::string& name);

/// One node of the graph: how to build its config and what it consumes.
struct Stage {
  StageKind kind = StageKind::kTrain;
  std::string hash;  ///< Hex SHA-256 of the stage's inputs.
  std::string id;    ///< "<kind>-<first 16 hex digits of hash>": its cache folder's name.
  /// The stage's config: these files merged in order, then these overrides.
  std::vector<std::filesystem::path> layers;
  std::vector<std::string> overrides;
  /// Config tables removed after the overrides (a teacher's [self_training]).
  std::vector<std::string> unset;
  /// Upstream stages by role: "teacher" (pseudo_label), "pseudo_labels" (student),
  /// "model" (evaluate).
  /// Pre-training reaches its users through an override of [model.init].
  std::map<std::string, std::string> inputs;
  std::vector<std::string> depends_on;  ///< Ids of every upstream stage.
};

/// A run of the suite and the stages that produce its result. Models are trained
/// without data.val and [eval]; each is evaluated in an evaluate stage of its own,
/// so that evaluating differently reuses the trained models.
struct PlannedRun {
  SuiteCell cell;
  std::string train_stage;                  ///< The run's model (the teacher when self-training).
  std::vector<std::string> student_stages;  ///< One per self-training round.
  std::string train_evaluation;             ///< The evaluation of train_stage.
  std::string evaluation;                   ///< The evaluation of final_stage(): the result.
  /// The run's final model.
  const std::string& final_stage() const {
    return student_stages.empty() ? train_stage : student_stages.back();
  }
  /// The stages whose results the run reports: its evaluation and, when
  /// self-training, its teacher's.
  std::vector<std::string> ResultStages() const {
    if (evaluation == train_evaluation) return {evaluation};
    return {evaluation, train_evaluation};
  }
};

struct SuitePlan {
  std::filesystem::path cache_dir;  ///< Absolute.
  std::vector<Stage> stages;        ///< Each after its upstream stages.
  std::vector<PlannedRun> runs;
  std::string code_version;         ///< What the hashes include of the code.

  const Stage* Find(const std::string& id) const;
  /// The ids of the stages `ids` and of every stage upstream of them.
  std::set<std::string> StagesNeededBy(const std::vector<std::string>& ids) const;
  std::filesystem::path StageDir(const std::string& id) const { return cache_dir / id; }
};

/// The config of a stage: its layers merged, overrides applied, tables unset.
STLAB_API absl::StatusOr<ConfigDocument> LoadStageConfig(const std::vector<std::filesystem::path>& layers,
                                                         const std::vector<std::string>& overrides,
                                                         const std::vector<std::string>& unset);

/// Expands `suite` and resolves every stage's config against `registries` (every
/// config is validated; an error names the run and the config key).
STLAB_API absl::StatusOr<SuitePlan> PlanSuite(const SuiteSpec& suite, const Registries& registries);

/// The plan as text: runs with their stages, then every stage once.
STLAB_API std::string DescribePlan(const SuitePlan& plan);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_STAGE_PLAN_H_
