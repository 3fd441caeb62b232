// Pseudo labels: a teacher's predictions on unlabeled images turned into training
// labels by a PseudoLabeler, persisted with their provenance, and served to the
// student as a dataset.
#ifndef STLAB_CORE_ENGINE_PSEUDO_LABELS_H_
#define STLAB_CORE_ENGINE_PSEUDO_LABELS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "core/engine/pseudo_label_quality.h"
#include "core/engine/task_model.h"
#include "core/engine/teacher_tta.h"
#include "core/export.h"
#include "core/pseudo_labeler.h"

namespace stlab {

/// The labels of the unlabeled images the labeler kept.
struct PseudoLabelSet {
  /// Index in the unlabeled dataset of each kept image, ascending.
  std::vector<int64_t> indices;
  /// Per kept image: boxes [M, 4] float32 and labels [M] int64 (detection) or
  /// mask [H, W] uint8 (segmentation), with the labeler's soft targets
  /// (label_scores, soft_mask) and ignore regions (ignore_boxes) when it gives
  /// them; images are not stored.
  std::vector<Sample> labels;
  /// Detection: per kept image, [M] float32 teacher score of each box of
  /// labels[i] (the score of the teacher detection with the same box and class).
  /// Empty for segmentation.
  std::vector<at::Tensor> scores;
  /// Provenance: teacher weights, labeler, counts.
  std::map<std::string, std::string> provenance;
};

/// What a pass over the pool does with each image and the teacher's prediction
/// for it (index in the pool, image, prediction); an error ends the pass.
using PredictionVisitor =
    std::function<absl::Status(int64_t index, const Sample& image, Prediction& prediction)>;

/// A dataset-level calibration of the teacher's predictions (LabelPriorCalibration,
/// ClassPortionCalibration), applied to each before the labeler sees it.
using PredictionMap = std::function<Prediction(const Prediction&)>;

/// Runs `teacher` (eval mode) over every image of `unlabeled` in order, in batches,
/// at the size `resize` says ([eval] resize; none by default) with the test-time
/// augmentation `tta` (none by default), and hands each prediction to `visit`:
/// the one loop of every pass over a pool.
STLAB_API absl::Status ForEachTeacherPrediction(TaskModel& teacher, const Dataset& unlabeled,
                                                int64_t batch_size, const TeacherTtaOptions& tta,
                                                const TestTimeResize& resize,
                                                const PredictionVisitor& visit);

/// Pseudo-labels every image of `unlabeled` (ForEachTeacherPrediction) and keeps
/// what `labeler` returns, each prediction passed through `calibrate` first when
/// it is set. With `quality`, every image that carries hidden labels
/// (HasGroundTruth) is measured into it (the calibrated predictions); those labels
/// never reach the returned set.
STLAB_API absl::StatusOr<PseudoLabelSet> PseudoLabel(
    TaskModel& teacher, const Dataset& unlabeled, const PseudoLabeler& labeler,
    int64_t batch_size, const TeacherTtaOptions& tta = {}, PseudoLabelQuality* quality = nullptr,
    const TestTimeResize& resize = {}, const PredictionMap& calibrate = {});

/// A detection teacher's detections on every image of `unlabeled`, in order, as
/// PseudoLabel's teacher sees them: the dataset-level pass that fits a
/// LabelPriorCalibration.
STLAB_API absl::StatusOr<std::vector<Detections>> DetectPool(TaskModel& teacher,
                                                             const Dataset& unlabeled,
                                                             int64_t batch_size,
                                                             const TeacherTtaOptions& tta = {},
                                                             const TestTimeResize& resize = {});

/// Writes `set` to `path` (atomically); ReadPseudoLabels reads it back exactly.
STLAB_API absl::Status WritePseudoLabels(const std::filesystem::path& path,
                                         const PseudoLabelSet& set);
STLAB_API absl::StatusOr<PseudoLabelSet> ReadPseudoLabels(const std::filesystem::path& path);

/// A summary for auditing: images seen and kept, boxes per image (and ignore
/// regions, detection), per-class counts
/// (boxes for detection, pixels for segmentation), a histogram of the boxes'
/// teacher scores in ten bins over [0, 1] (detection), whether the labels are soft,
/// the provenance and, when `quality` measured any image, its Json() as "quality";
/// one JSON object.
STLAB_API std::string PseudoLabelSummaryJson(const PseudoLabelSet& set, int64_t num_unlabeled,
                                             const DatasetInfo& info,
                                             const PseudoLabelQuality* quality = nullptr);

/// The figures of a summary that a suite reports for its pseudo-label stage:
/// "pseudo/kept_images", "pseudo/boxes_per_image" (detection) and the quality's
/// Headline() when the summary has one. An unreadable summary is an error naming it.
STLAB_API absl::StatusOr<Metrics> PseudoLabelSummaryMetrics(const std::filesystem::path& summary);

/// The unlabeled images with their pseudo labels (Sample.pseudo_labeled = true),
/// described by `info` (the classes of the teacher's training data).
class STLAB_API PseudoLabeledDataset : public Dataset {
 public:
  PseudoLabeledDataset(std::shared_ptr<const Dataset> unlabeled, PseudoLabelSet set,
                       DatasetInfo info);
  int64_t Size() const override { return static_cast<int64_t>(set_.indices.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

 private:
  std::shared_ptr<const Dataset> unlabeled_;
  PseudoLabelSet set_;
  DatasetInfo info_;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PSEUDO_LABELS_H_
