// The one training loop of stlab. Supervised training, a self-training student and
// backbone pre-training are step policies on it; the driver owns everything they
// share: the run folder (lock, config claim), resume, the optimizer and learning-rate
// schedule, backward, gradient clipping, the optimizer step, the weight EMA,
// windowed metrics, progress, evaluation and checkpoint cadence, non-finite losses
// and result.json.
#ifndef STLAB_CORE_ENGINE_RUN_DRIVER_H_
#define STLAB_CORE_ENGINE_RUN_DRIVER_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/config/validated_config.h"
#include "core/checkpoint.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "torch/nn/module.h"

namespace stlab {

/// The files of a run folder; the one place their names are spelled.
struct RunFiles {
  explicit RunFiles(std::filesystem::path dir) : dir(std::move(dir)) {}
  std::filesystem::path dir;
  /// The fully resolved config the run was started with; a later start with a
  /// different config in the same folder is refused.
  std::filesystem::path config() const { return dir / "config.toml"; }
  /// Model, optimizer, schedule position, EMA, generator and data-order state.
  std::filesystem::path checkpoint() const { return dir / "checkpoint.pt"; }
  /// The weights that were evaluated (the EMA weights when train.ema_decay > 0).
  std::filesystem::path final_model() const { return dir / "model_final.pt"; }
  /// A pre-training run's product: the final backbone alone, as an stlab checkpoint
  /// whose model tensors are named "backbone.<parameter>" (what the `checkpoint`
  /// initializer loads by default).
  std::filesystem::path backbone() const { return dir / "backbone.pt"; }
  std::filesystem::path metrics() const { return dir / "metrics.jsonl"; }
  /// Final metrics as one JSON object.
  std::filesystem::path result() const { return dir / "result.json"; }
  std::filesystem::path log() const { return dir / "train.log"; }
  /// Indices of the labeled subset of data.train, one per line.
  std::filesystem::path labeled_subset() const { return dir / "labeled_subset.txt"; }
};

/// `run.output_dir / run.name`.
STLAB_API std::filesystem::path RunDirOf(const ValidatedConfig& config);

/// One step's loss and what the driver logs about it.
struct StepLoss {
  /// The scalar to back-propagate.
  at::Tensor loss;
  /// Its terms, logged as "loss/<name>" (means over each window); when the loss is
  /// not finite, the error names the first term that is not.
  std::vector<std::pair<std::string, double>> terms;
  /// Other per-step values, logged under their own names (means over each window):
  /// "accuracy", a loss combiner's running state.
  std::map<std::string, double> values;
};

/// What a training method contributes to the loop. The driver calls, in order:
/// Build() once, then either nothing (the run is finished) or Restore() (a resumed
/// run) and Start(), then Step() per iteration, Evaluate() at train.eval_every and at
/// the end, and WriteProducts() and FinalMetrics() at the end.
class STLAB_API StepPolicy {
 public:
  virtual ~StepPolicy() = default;

  /// "train", "student", "supervised", "simclr", ...: the provenance method and
  /// result.json's "method".
  virtual std::string Method() const = 0;

  /// Builds data and model. Runs with the run folder claimed and the configured
  /// threads set.
  virtual absl::Status Build() = 0;
  /// The trained module: the optimizer's parameters, the rolling checkpoints and the
  /// EMA are over it. Valid after Build().
  virtual torch::nn::Module& Model() = 0;
  /// Where the model's starting weights came from, for provenance and result.json.
  virtual std::string InitOrigin() const = 0;
  /// Run folders that hold one of these are trained: a later start with another
  /// config is refused (besides checkpoint.pt).
  virtual std::vector<std::filesystem::path> Products() const { return {}; }

  /// Takes back the method's own state from a rolling checkpoint (a loss combiner's
  /// running means); SaveState() stores it. Names starting with "ema/" are the
  /// driver's.
  virtual absl::Status Restore(const RunState& state) {
    (void)state;
    return absl::OkStatus();
  }
  virtual void SaveState(RunState& state) { (void)state; }

  /// Positions the data at `iteration` (0 for a fresh start): the batches of a resumed
  /// run are those of a run that never stopped.
  virtual absl::Status Start(int64_t iteration) = 0;
  /// The loss of step `iteration` (1-based), on the next batch.
  virtual absl::StatusOr<StepLoss> Step(int64_t iteration) = 0;

  /// Metrics on held-out data, of Model() as it is (the driver swaps the EMA weights
  /// in first); empty without held-out data.
  virtual absl::StatusOr<Metrics> Evaluate() { return Metrics(); }
  /// Writes the run's products from Model() as it is (the evaluated weights), each
  /// recording `provenance` (RecordProvenance's text).
  virtual absl::Status WriteProducts(int64_t iteration, const RunState& provenance) = 0;
  /// The run's final metrics (result.json, the checkpoint) from the last evaluation
  /// and the means of the last logged window ("loss/...", values).
  virtual Metrics FinalMetrics(const Metrics& evaluation, const Metrics& last_window) {
    (void)last_window;
    return evaluation;
  }
};

struct RunDriverOptions {
  /// Show a progress bar (a line per train.log_every when stderr is no terminal).
  bool show_progress = true;
  /// Iterations to train instead of train.iterations when > 0 (a student's own
  /// length); the learning-rate schedule spans them.
  int64_t iterations = 0;
};

struct RunDriverResult {
  int64_t iterations = 0;    ///< Iterations of the run.
  int64_t resumed_from = 0;  ///< Iteration the run continued from; 0 for a fresh start.
  Metrics metrics;           ///< The final metrics (StepPolicy::FinalMetrics).
};

/// Trains `policy` in `files.dir` with [train]'s optimizer, schedule, batch size and
/// cadences and [run]'s seed. If the folder holds a checkpoint of the same config,
/// continues from it: the result is identical, number for number, to a run that was
/// never interrupted. A non-finite loss stops the run with an error naming the
/// iteration and the term; the last checkpoint is kept. Every file is written
/// atomically; checkpoint.pt keeps its previous version (SaveRollingCheckpoint).
STLAB_API absl::StatusOr<RunDriverResult> DriveRun(const ValidatedConfig& config,
                                                   const RunFiles& files, StepPolicy& policy,
                                                   const RunDriverOptions& options = {});

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_RUN_DRIVER_H_
