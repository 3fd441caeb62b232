// Self-training as one resumable pipeline (Zoph et al. 2020): train a teacher on the
// human labels (or take given weights), pseudo-label the unlabeled images, train a
// student on human and pseudo labels with a loss combiner; repeat for more rounds
// with the student as the next teacher.
#ifndef STLAB_CORE_ENGINE_SELF_TRAINING_H_
#define STLAB_CORE_ENGINE_SELF_TRAINING_H_

#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config/validated_config.h"
#include "core/engine/pseudo_label_export.h"
#include "core/engine/task_model.h"
#include "core/engine/trainer.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

/// The stages' folders inside a self-training run folder.
struct SelfTrainingFiles {
  explicit SelfTrainingFiles(std::filesystem::path dir) : dir(std::move(dir)) {}
  std::filesystem::path dir;
  std::filesystem::path teacher() const { return dir / "teacher"; }
  std::filesystem::path round(int round) const { return dir / ("round" + std::to_string(round)); }
  PseudoLabelFiles pseudo_labels(int round) const { return PseudoLabelFiles(this->round(round)); }
  std::filesystem::path student(int round) const { return this->round(round) / "student"; }
  /// Teacher and student metrics side by side.
  std::filesystem::path result() const { return dir / "result.json"; }
};

struct SelfTrainingResult {
  Metrics teacher;                ///< Empty when the teacher's weights were given.
  std::vector<Metrics> students;  ///< One per round.
};

/// Runs the pipeline in RunDirOf(config). Every stage is resumable: a finished
/// stage is skipped, an interrupted training continues from its checkpoint, and
/// pseudo labels are written atomically (an interrupted labeling is redone).
STLAB_API absl::StatusOr<SelfTrainingResult> SelfTrain(const ValidatedConfig& config,
                                                       const Registries& registries,
                                                       const TrainOptions& options = {});

/// The images the teacher pseudo-labels, as self_training.unlabeled_pool says:
/// data.unlabeled, or the images of data.train outside the labeled subset
/// (data.train_fraction, data.subset_seed), `train` being the config's data.train
/// as the caller built it. An empty pool is an error.
STLAB_API absl::StatusOr<std::shared_ptr<const Dataset>> BuildUnlabeledPool(
    const ValidatedConfig& config, const Registries& registries,
    std::shared_ptr<const Dataset> train);

/// Pseudo-labels `config`'s unlabeled pool (BuildUnlabeledPool) with the teacher weights `checkpoint`
/// using [self_training.pseudo_labeler] and the teacher's test-time augmentation
/// ([self_training] teacher_flip, teacher_scales, ...); writes into `files` the
/// summary (with provenance: teacher path and SHA-256, labeler, threshold, teacher
/// TTA, date), the audit files (ExportPseudoLabels, self_training.audit_images
/// drawn) and last the labels.
/// Skipped when the labels exist. Returns the labels' path.
STLAB_API absl::StatusOr<std::filesystem::path> WritePseudoLabelsFor(
    const ValidatedConfig& config, const Registries& registries,
    const std::filesystem::path& checkpoint, const PseudoLabelFiles& files);

/// Trains a student (in options.run_dir) on `config`'s human labels and the pseudo
/// labels in `labels_path` (as WritePseudoLabelsFor wrote them), mixed and combined
/// as [self_training] says, for self_training.student_iterations (train.iterations
/// when 0). Resumable like Train(). An empty label set is an error.
STLAB_API absl::StatusOr<TrainResult> TrainStudent(const ValidatedConfig& config,
                                                   const Registries& registries,
                                                   const std::filesystem::path& labels_path,
                                                   const TrainOptions& options);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_SELF_TRAINING_H_
