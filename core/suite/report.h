// The reports of an experiment suite: results.csv (one row per run, every factor a
// column), results.md (the paper's table layout: rows by factors, a column per
// initialization with its difference to the baseline, and self-training's gain;
// mean and standard deviation over seeds; then the suite's claims and their
// verdicts), claims.json (the claims, machine-readable) and report.html
// (self-contained, inline SVG plots: metric against labeled fraction per
// initialization with and without self-training, loss curves, the
// loss-normalization running averages, the pseudo labels' quality).
#ifndef STLAB_CORE_SUITE_REPORT_H_
#define STLAB_CORE_SUITE_REPORT_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "core/suite/claims.h"

namespace stlab {

/// One run of a suite as the report sees it.
struct SuiteRunResult {
  /// (axis, level label) for every axis of the suite, in the suite's axis order,
  /// e.g. {"init", "supervised"}, {"labeled_fraction", "0.2"}, {"seed", "1"}. The
  /// axis "self_training" (labels "false"/"true") is among them when the suite
  /// varies it.
  std::vector<std::pair<std::string, std::string>> factors;
  bool self_training = false;  ///< The run ends with a student.
  /// "done", "failed" (a stage failed; `log` names its log) or "pending".
  std::string status;
  std::filesystem::path log;  ///< Log of the failed stage, when status == "failed".
  /// Final evaluation of the run: its last student's when self-training, else its
  /// trained model's. Empty unless done.
  Metrics metrics;
  /// Self-training runs: their teacher's final evaluation.
  Metrics teacher_metrics;
  /// Folder of the run's last training stage (holds metrics.jsonl with "loss/..."
  /// and, for students, "combiner/mean_human" and "combiner/mean_pseudo").
  std::filesystem::path train_dir;
  /// Self-training runs: the final metrics of their last round's pseudo-label stage
  /// ("pseudo/images"; with ground truth hidden in the unlabeled images also
  /// "pseudo/precision", "pseudo/recall", ... for detection and
  /// "pseudo/pixel_accuracy", "pseudo/miou", ... for segmentation). Empty until
  /// that stage finished.
  Metrics pseudo_label_metrics;
  /// That stage's folder (holds pseudo_labels_summary.json) once it finished, else
  /// empty.
  std::filesystem::path pseudo_label_dir;
};

/// How the Markdown table and the plots are laid out.
struct SuiteReportLayout {
  std::string metric = "AP";                  ///< Metric shown in tables and plots.
  std::vector<std::string> rows;              ///< Axes forming the table's rows.
  std::string columns = "init";               ///< Axis forming its columns.
  std::string baseline = "random";            ///< Level of `columns` differences refer to.
  std::vector<std::string> average = {"seed"};  ///< Axes averaged over (mean, std).
  std::string x = "labeled_fraction";         ///< Plots' x axis (numeric labels).
  std::vector<SuiteClaim> claims;             ///< Judged by EvaluateClaims, in this order.
};

/// Writes results.csv, results.md, claims.json and report.html into `dir`
/// (atomically, each) and returns what a console shows: results.md up to its
/// claims' summary table (without the tables of each claim's cells). Axes not
/// named by the layout (other than "self_training") are added to the rows.
STLAB_API absl::StatusOr<std::string> WriteSuiteReport(const std::string& suite_name,
                                                       const std::vector<SuiteRunResult>& runs,
                                                       const SuiteReportLayout& layout,
                                                       const std::filesystem::path& dir);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_REPORT_H_
