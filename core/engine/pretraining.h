// Pre-training a backbone alone (`stlab pretrain`) with a registered pre-training
// method (core/pretrain_method.h: supervised, simclr, or a plugin's), resumable
// after a kill, ending with a backbone checkpoint that
// [model.init] type = "checkpoint" loads into a detection or segmentation run.
#ifndef STLAB_CORE_ENGINE_PRETRAINING_H_
#define STLAB_CORE_ENGINE_PRETRAINING_H_

#include <cstdint>
#include <filesystem>

#include "absl/status/statusor.h"
#include "core/config/validated_config.h"
#include "core/engine/run_driver.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

struct PretrainOptions {
  /// Show a progress bar (a line per train.log_every when stderr is no terminal).
  bool show_progress = true;
  /// Where the run's files go; empty: RunDirOf(config).
  std::filesystem::path run_dir;
};

struct PretrainResult {
  int64_t iterations = 0;    ///< Iterations completed (train.iterations).
  int64_t resumed_from = 0;  ///< Iteration the run continued from; 0 for a fresh start.
  /// "loss" (the summed loss terms) and the method's own values ("accuracy" for
  /// supervised): means over the last train.log_every iterations; for a method that
  /// classifies, with data.val, also "val_accuracy" (top-1, unaugmented).
  Metrics metrics;
};

/// Pre-trains [model.backbone] with [pretrain.method], on data.train (all of it;
/// data.train_fraction is for fine-tuning), with [train]'s optimizer, schedule,
/// batch size, EMA and checkpoints and [augment.pipeline]. Each of the method's
/// views is the pipeline applied with a stream derived from the loader's per-sample
/// stream and the view ("view0", "view1", ...), so that results do not depend on
/// thread counts; the method sees the pooled coarsest level of the backbone (its
/// PretrainContext: that width and data.train's class count). [model.init], when
/// set, gives the starting weights. Resumes like Train(): the same config in the
/// same folder continues from checkpoint.pt with identical numbers. checkpoint.pt
/// and backbone.pt record what produced them (RecordProvenance, with the method's
/// type as the method).
STLAB_API absl::StatusOr<PretrainResult> Pretrain(const ValidatedConfig& config,
                                                  const Registries& registries,
                                                  const PretrainOptions& options = {});

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PRETRAINING_H_
