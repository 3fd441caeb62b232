// Pre-training a backbone alone (`stlab pretrain`): supervised classification or
// SimCLR, resumable after a kill, ending with a backbone checkpoint that
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
  /// "loss" (and for supervised "accuracy"): means over the last train.log_every
  /// iterations; supervised with data.val also "val_accuracy" (top-1, unaugmented).
  Metrics metrics;
};

/// Pre-trains [model.backbone] as [pretrain] says, on data.train (all of it;
/// data.train_fraction is for fine-tuning), with [train]'s optimizer, schedule,
/// batch size and checkpoints and [augment.pipeline]:
///   - supervised: backbone -> global average pool of the coarsest level -> linear
///     classifier over data.train's class names, cross-entropy on each image's
///     label (Sample::labels[0]: one label per image, as
///     synthetic_shapes_classification and image_folder with labels = "subfolder"
///     give);
///   - simclr: every image augmented twice, with streams derived from the loader's
///     per-sample stream and the view ("view0", "view1"), so that results do not
///     depend on thread counts; backbone -> pool -> Linear-ReLU-Linear projection ->
///     NT-Xent over the 2N views (core/engine/nt_xent_loss.h).
/// [model.init], when set, gives the starting weights. Resumes like Train(): the same
/// config in the same folder continues from checkpoint.pt with identical numbers.
/// checkpoint.pt and backbone.pt record what produced them (RecordProvenance, with
/// pretrain.method as the method).
STLAB_API absl::StatusOr<PretrainResult> Pretrain(const ValidatedConfig& config,
                                                  const Registries& registries,
                                                  const PretrainOptions& options = {});

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PRETRAINING_H_
