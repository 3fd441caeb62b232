// Experiment suites: a base experiment and axes whose levels change it, expanded
// into one run per combination of levels (minus exclusions). Read from a suite
// TOML file; see configs/suites/ and README.md for the format.
#ifndef STLAB_CORE_SUITE_SUITE_SPEC_H_
#define STLAB_CORE_SUITE_SUITE_SPEC_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"
#include "core/suite/report.h"

namespace stlab {

/// The axis whose levels (false/true) say whether a run ends with self-training.
inline constexpr const char kSelfTrainingAxis[] = "self_training";

/// What a run at one level of an axis changes in the base experiment.
struct AxisLevel {
  std::string label;  ///< "random", "0.2", "true".
  /// Config files merged over the experiment, in order (absolute paths).
  std::vector<std::filesystem::path> layers;
  /// "key.path=value" overrides, applied after all layers.
  std::vector<std::string> overrides;
  /// A pre-training config (absolute path; empty: none) whose backbone becomes
  /// the run's [model.init] (type "checkpoint"), with its own overrides.
  std::filesystem::path pretrain;
  std::vector<std::string> pretrain_overrides;
  /// Whether runs at this level self-train; unset: the level does not say.
  std::optional<bool> self_training;
};

struct SuiteAxis {
  std::string name;
  std::vector<AxisLevel> levels;
};

/// One run of the suite: a level of every axis, and what they add up to.
struct SuiteCell {
  std::vector<std::pair<std::string, std::string>> factors;  ///< (axis, label), axis order.
  std::vector<std::filesystem::path> layers;  ///< The experiment first, then levels'.
  std::vector<std::string> overrides;         ///< Suite's, levels', then per-cell.
  std::filesystem::path pretrain;             ///< Empty: no pre-training stage.
  std::vector<std::string> pretrain_overrides;
  bool self_training = false;
  /// "init=random labeled_fraction=0.2 seed=0".
  std::string Name() const;
};

/// A suite file, read and checked.
struct SuiteSpec {
  std::string name;
  std::filesystem::path file;        ///< The suite file.
  std::filesystem::path experiment;  ///< The base experiment (absolute).
  std::vector<std::string> overrides;  ///< Applied to every run.
  std::filesystem::path output_dir;  ///< Reports go to output_dir / name.
  std::filesystem::path cache_dir;   ///< The content-addressed stage cache.
  int workers = 1;                   ///< Stages run at once.
  int threads_per_worker = 1;        ///< LibTorch threads of each stage.
  std::vector<SuiteAxis> axes;       ///< Sorted by name.
  /// Runs whose factors include all of an exclusion's (axis, label) pairs are left out.
  std::vector<std::map<std::string, std::string>> exclusions;
  struct CellOverride {
    std::map<std::string, std::string> where;  ///< (axis, label) pairs a run must have.
    std::vector<std::string> overrides;
  };
  std::vector<CellOverride> cell_overrides;
  SuiteReportLayout report;

  std::filesystem::path report_dir() const { return output_dir / name; }
};

/// Reads a suite file. `overrides` ("suite.workers=1", "report.metric=mIoU") apply
/// to the suite file itself. Errors name file, line and key.
STLAB_API absl::StatusOr<SuiteSpec> LoadSuiteSpec(const std::filesystem::path& file,
                                                  const std::vector<std::string>& overrides = {});

/// Every combination of levels (the first axis varying slowest), minus exclusions,
/// with the per-cell overrides that match.
STLAB_API std::vector<SuiteCell> ExpandSuite(const SuiteSpec& suite);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_SUITE_SPEC_H_
