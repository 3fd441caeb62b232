// Training a detection or segmentation run from a validated config: supervised on
// the human labels, or as a self-training student; the loop is the run driver's
// (core/engine/run_driver.h).
#ifndef STLAB_CORE_ENGINE_TRAINER_H_
#define STLAB_CORE_ENGINE_TRAINER_H_

#include <cstdint>
#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "core/config/validated_config.h"
#include "core/dataset.h"
#include "core/engine/run_driver.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

struct TrainOptions {
  /// Show a progress bar (a line per train.log_every when stderr is no terminal).
  bool show_progress = true;
  /// Where the run's files go; empty: RunDirOf(config).
  std::filesystem::path run_dir;
  /// For a self-training student: pseudo-labeled images, mixed into every batch
  /// (self_training.pseudo_fraction of it, at least one image), their loss and the
  /// human-label loss combined by [self_training.loss_combiner]. Null: supervised.
  std::shared_ptr<const Dataset> pseudo_labeled;
  /// Iterations to train instead of train.iterations when > 0 (a student's own
  /// length); the learning-rate schedule spans them.
  int64_t iterations = 0;
};

struct TrainResult {
  int64_t iterations = 0;    ///< Iterations completed (train.iterations or TrainOptions.iterations).
  int64_t resumed_from = 0;  ///< Iteration the run continued from; 0 for a fresh start.
  Metrics metrics;           ///< Final evaluation; empty without data.val.
};

/// Trains the run of `config` in RunDirOf(config). If the folder holds a checkpoint
/// of the same config, continues from it: the result is identical, number for
/// number, to a run that was never interrupted. A non-finite loss stops the run
/// with an error naming the iteration and the loss term; the last checkpoint is
/// kept. Every file is written atomically. checkpoint.pt and model_final.pt record
/// what produced them (RecordProvenance; method "train", or "student" with
/// TrainOptions::pseudo_labeled).
STLAB_API absl::StatusOr<TrainResult> Train(const ValidatedConfig& config,
                                            const Registries& registries,
                                            const TrainOptions& options = {});

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_TRAINER_H_
