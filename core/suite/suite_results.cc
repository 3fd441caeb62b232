// Gathering run results from the stage cache.
#include "core/suite/suite_results.h"

#include <map>

#include "core/suite/stage_runner.h"

namespace stlab {

namespace fs = std::filesystem;

std::vector<SuiteRunResult> CollectSuiteResults(const SuitePlan& plan,
                                                const SuiteRunSummary* summary) {
  std::map<std::string, const StageOutcome*> failures;
  if (summary != nullptr) {
    for (const StageOutcome& outcome : summary->failed) failures[outcome.id] = &outcome;
  }
  std::vector<SuiteRunResult> results;
  for (const PlannedRun& run : plan.runs) {
    SuiteRunResult result;
    result.factors = run.cell.factors;
    result.self_training = run.cell.self_training;
    result.train_dir = plan.StageDir(run.final_stage());
    result.status = "pending";
    if (const fs::path evaluation = plan.StageDir(run.evaluation); StageDone(evaluation)) {
      if (absl::StatusOr<Metrics> metrics = ReadStageMetrics(evaluation); metrics.ok()) {
        result.status = "done";
        result.metrics = *std::move(metrics);
      }
    } else {
      for (const std::string& id : plan.StagesNeededBy({run.evaluation})) {
        if (auto it = failures.find(id); it != failures.end()) {
          result.status = "failed";
          result.log = it->second->log;
        }
      }
    }
    if (run.cell.self_training && StageDone(plan.StageDir(run.train_evaluation))) {
      if (absl::StatusOr<Metrics> teacher = ReadStageMetrics(plan.StageDir(run.train_evaluation));
          teacher.ok()) {
        result.teacher_metrics = *std::move(teacher);
      }
    }
    if (run.cell.self_training && !run.student_stages.empty()) {
      // The last round's labels: what the final student trained on.
      const fs::path labels =
          plan.StageDir(plan.Find(run.student_stages.back())->inputs.at("pseudo_labels"));
      if (StageDone(labels)) {
        if (absl::StatusOr<Metrics> metrics = ReadStageMetrics(labels); metrics.ok()) {
          result.pseudo_label_metrics = *std::move(metrics);
          result.pseudo_label_dir = labels;
        }
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace stlab
