// A suite's runs as the report sees them, gathered from the stage cache.
#ifndef STLAB_CORE_SUITE_SUITE_RESULTS_H_
#define STLAB_CORE_SUITE_SUITE_RESULTS_H_

#include <vector>

#include "core/export.h"
#include "core/suite/executor.h"
#include "core/suite/report.h"
#include "core/suite/stage_plan.h"

namespace stlab {

/// One result per planned run: "done" with its final (and teacher) metrics when its
/// last stage finished, "failed" with the log of the stage that failed it when
/// `summary` (of the run that just ended; may be null) says so, else "pending".
/// Self-training runs also get their last round's pseudo-label stage (metrics and
/// folder) once it finished.
STLAB_API std::vector<SuiteRunResult> CollectSuiteResults(const SuitePlan& plan,
                                                          const SuiteRunSummary* summary);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_SUITE_RESULTS_H_
