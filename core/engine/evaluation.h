// Evaluation of a model on a dataset with an Evaluator plugin.
#ifndef STLAB_CORE_ENGINE_EVALUATION_H_
#define STLAB_CORE_ENGINE_EVALUATION_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "core/data/batch.h"
#include "core/dataset.h"
#include "core/engine/task_model.h"
#include "core/engine/teacher_tta.h"
#include "core/evaluator.h"
#include "core/config/validated_config.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

struct EvaluationOptions {
  int64_t batch_size = 8;
  Normalization normalization;
  /// The size images are predicted at ([eval] resize); predictions are mapped back
  /// to each image's own size before the evaluator sees them.
  TestTimeResize resize;
};

/// batch_size and resize from `config`'s [eval].
STLAB_API absl::StatusOr<EvaluationOptions> EvaluationOptionsOf(const ValidatedConfig& config);

/// Called with each ground-truth sample (image released) and the model's prediction.
using PredictionSink = std::function<absl::Status(const Sample&, const Prediction&)>;

/// Predicts every sample of `dataset` in index order (model in eval mode, restored
/// to its previous mode afterwards), adds each to `evaluator` and returns its
/// metrics. Predictions are in the coordinates of the dataset's own images. A sample
/// that fails to load is an error naming it.
STLAB_API absl::StatusOr<Metrics> EvaluateModel(TaskModel& model, const Dataset& dataset,
                                                Evaluator& evaluator,
                                                const EvaluationOptions& options,
                                                const PredictionSink& sink = {});

/// The validation data of `config` (data.val); a config without it is an error.
STLAB_API absl::StatusOr<std::shared_ptr<const Dataset>> BuildValidationData(
    const ValidatedConfig& config, const Registries& registries);

/// Evaluates saved weights (a run's checkpoint.pt or model_final.pt) as `config`
/// says: the [model] built for data.train's classes (as when it was trained), on
/// `val` (BuildValidationData's) with [eval]'s evaluator and batch size.
STLAB_API absl::StatusOr<Metrics> EvaluateWeightsOn(const ValidatedConfig& config,
                                                    const Registries& registries,
                                                    const Dataset& val,
                                                    const std::filesystem::path& weights,
                                                    const PredictionSink& sink = {});

/// EvaluateWeightsOn the config's own validation data.
STLAB_API absl::StatusOr<Metrics> EvaluateWeights(const ValidatedConfig& config,
                                                  const Registries& registries,
                                                  const std::filesystem::path& weights);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_EVALUATION_H_
