// One stage of a suite in its cache folder: the recipe the planner writes, the
// stage's execution (by whichever executor), and the marker that says it is done.
#ifndef STLAB_CORE_SUITE_STAGE_RUNNER_H_
#define STLAB_CORE_SUITE_STAGE_RUNNER_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config/validated_config.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "core/suite/stage_plan.h"
#include "registry/registries.h"

namespace stlab {

/// The files of a stage folder; the one place their names are spelled. Training
/// stages also hold a run folder's files (RunFiles), pre-training backbone.pt,
/// pseudo-labeling PseudoLabelFiles.
struct StageFiles {
  explicit StageFiles(std::filesystem::path dir) : dir(std::move(dir)) {}
  std::filesystem::path dir;
  /// What to run: kind, config layers and overrides, upstream stage folders.
  std::filesystem::path recipe() const { return dir / "stage.toml"; }
  /// Everything the stage printed (the executor's redirection).
  std::filesystem::path log() const { return dir / "stage.log"; }
  /// The size and SHA-256 of each file the stage left (StageDone checks them).
  std::filesystem::path outputs() const { return dir / "stage_outputs.toml"; }
  /// Written last, atomically: the stage is finished; holds its final metrics.
  std::filesystem::path done() const { return dir / "stage_done.toml"; }
};

/// A stage recipe as read back from its folder.
struct StageRecipeFile {
  StageKind kind = StageKind::kTrain;
  std::string id;
  std::string hash;
  std::vector<std::filesystem::path> layers;
  std::vector<std::string> overrides;
  std::vector<std::string> unset;
  std::map<std::string, std::filesystem::path> inputs;  ///< Role -> upstream stage folder.
};

/// Writes `stage`'s recipe into its folder (atomically), unless the folder already
/// holds the same recipe; a different one there is an error (it would mean two
/// stages with one id).
STLAB_API absl::Status WriteStageRecipe(const SuitePlan& plan, const Stage& stage);

STLAB_API absl::StatusOr<StageRecipeFile> ReadStageRecipe(const std::filesystem::path& dir);

/// Runs a stage whose recipe is in `dir` and whose config (the recipe's layers and
/// overrides) is `config`: pre-training, training, pseudo-labeling, student
/// training (each resuming what an earlier, interrupted attempt left) or the
/// evaluation of a trained model. Writes the done marker last and returns the
/// stage's final metrics.
STLAB_API absl::StatusOr<Metrics> RunStage(const StageRecipeFile& recipe,
                                           const ValidatedConfig& config,
                                           const Registries& registries,
                                           const std::filesystem::path& dir);

/// Whether the stage in `dir` finished: its done marker reads back (ReadStageMetrics)
/// and every output it recorded (name, size, SHA-256) is there unchanged. A
/// marker that does not (empty, corrupt, another stage's, an output missing or
/// changed) leaves the stage pending, with a warning naming the file.
STLAB_API bool StageDone(const std::filesystem::path& dir);

/// Whether `dir` holds a done marker at all (intact or not): a marked stage that
/// is not StageDone() is computed again from an empty folder.
STLAB_API bool StageMarked(const std::filesystem::path& dir);

/// The final metrics a finished stage recorded; an error names the marker file
/// when it does not parse, belongs to another stage or holds a non-number.
STLAB_API absl::StatusOr<Metrics> ReadStageMetrics(const std::filesystem::path& dir);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_STAGE_RUNNER_H_
