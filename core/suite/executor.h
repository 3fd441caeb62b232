// Running a suite's stage graph: an executor runs single stages (here: local
// processes; a cluster executor implements the same interface), and the scheduler
// feeds it every stage whose upstream stages are done, skipping finished ones.
#ifndef STLAB_CORE_SUITE_EXECUTOR_H_
#define STLAB_CORE_SUITE_EXECUTOR_H_

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"
#include "core/suite/stage_plan.h"

namespace stlab {

/// How one stage ended.
struct StageOutcome {
  std::string id;
  bool ok = false;
  std::string error;           ///< Why not, when !ok.
  std::filesystem::path log;   ///< The stage's log.
};

/// Runs stages whose recipe is in their folder (see stage_runner.h). A stage runs
/// `stlab suite stage DIR` or its equivalent; it must resume what an interrupted
/// attempt left and write the done marker last.
class StageExecutor {
 public:
  virtual ~StageExecutor() = default;
  /// Stages that may run at once.
  virtual int capacity() const = 0;
  /// Starts the stage in `dir`; returns at once.
  virtual absl::Status Launch(const std::string& id, const std::filesystem::path& dir) = 0;
  /// Waits until one launched stage ends.
  virtual absl::StatusOr<StageOutcome> WaitAny() = 0;
};

/// Runs each stage as a child process `program args... suite stage DIR`, with its
/// output appended to DIR/stage.log and OMP_NUM_THREADS set to `threads_per_stage`.
/// Children die with the parent (Linux PR_SET_PDEATHSIG), so a killed suite leaves
/// no orphan writing into the cache.
class STLAB_API LocalProcessExecutor : public StageExecutor {
 public:
  LocalProcessExecutor(std::filesystem::path program, std::vector<std::string> args,
                       int workers, int threads_per_stage);
  ~LocalProcessExecutor() override;
  int capacity() const override { return workers_; }
  absl::Status Launch(const std::string& id, const std::filesystem::path& dir) override;
  absl::StatusOr<StageOutcome> WaitAny() override;

 private:
  struct Child {
    std::string id;
    std::filesystem::path log;
  };
  std::filesystem::path program_;
  std::vector<std::string> args_;
  int workers_;
  int threads_per_stage_;
  std::map<int, Child> running_;  ///< By process id.
};

/// What a suite run did.
struct SuiteRunSummary {
  int reused = 0;   ///< Stages that were already done (this suite's or another's).
  int ran = 0;      ///< Stages run to completion now.
  std::vector<StageOutcome> failed;
  std::vector<std::string> blocked;  ///< Not run because an upstream stage failed.
};

/// Runs every stage of `plan` that is not done, each once its upstream stages are,
/// up to executor.capacity() at a time. A failed stage does not stop independent
/// ones. `on_event` (optional) hears "started ID", "done ID", "failed ID: why".
STLAB_API absl::StatusOr<SuiteRunSummary> RunSuitePlan(
    const SuitePlan& plan, StageExecutor& executor,
    const std::function<void(const std::string&)>& on_event = nullptr);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_EXECUTOR_H_
