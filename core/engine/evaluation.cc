// EvaluateModel and EvaluateWeights.
#include "core/engine/evaluation.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/engine/components.h"
#include "core/logging.h"
#include "core/status.h"

namespace stlab {

absl::StatusOr<Metrics> EvaluateModel(TaskModel& model, const Dataset& dataset,
                                      Evaluator& evaluator, const EvaluationOptions& options,
                                      const PredictionSink& sink) {
  const bool was_training = model.is_training();
  model.eval();
  const int64_t size = dataset.Size();
  absl::Status status = absl::OkStatus();
  for (int64_t start = 0; start < size && status.ok(); start += options.batch_size) {
    std::vector<Sample> samples;
    for (int64_t i = start; i < std::min(size, start + options.batch_size); ++i) {
      absl::StatusOr<Sample> sample = dataset.Get(i);
      if (!sample.ok()) {
        status = sample.status();
        break;
      }
      samples.push_back(*std::move(sample));
    }
    if (!status.ok()) break;
    std::vector<Sample> ground_truth = samples;  // Collate releases the images.
    absl::StatusOr<std::vector<Prediction>> predictions;
    if (options.resize.Enabled()) {
      predictions = PredictWithTta(model, samples, TeacherTtaOptions(), options.resize);
    } else {
      absl::StatusOr<Batch> batch =
          Collate(std::move(samples), model.size_divisor(), options.normalization);
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      predictions = CallAndCatch(
          "evaluation forward pass",
          [&]() -> absl::StatusOr<std::vector<Prediction>> { return model.Predict(*batch); });
    }
    if (!predictions.ok()) {
      status = predictions.status();
      break;
    }
    for (size_t i = 0; i < ground_truth.size() && status.ok(); ++i) {
      status = evaluator.Add(ground_truth[i], (*predictions)[i]);
      if (status.ok() && sink) status = sink(ground_truth[i], (*predictions)[i]);
    }
  }
  model.train(was_training);
  STLAB_RETURN_IF_ERROR(status);
  return evaluator.Compute();
}

absl::StatusOr<EvaluationOptions> EvaluationOptionsOf(const ValidatedConfig& config) {
  EvaluationOptions options;
  options.batch_size = config.Section("eval").GetInt("batch_size");
  STLAB_ASSIGN_OR_RETURN(options.resize, TestTimeResizeFrom(config.Section("eval")));
  return options;
}

absl::StatusOr<std::shared_ptr<const Dataset>> BuildValidationData(const ValidatedConfig& config,
                                                                   const Registries& registries) {
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> val,
                         BuildDataset(config, registries, "data.val", seed));
  if (val == nullptr) return absl::InvalidArgumentError("the config has no [data.val] to evaluate on");
  return val;
}

absl::StatusOr<Metrics> EvaluateWeightsOn(const ValidatedConfig& config, const Registries& registries,
                                          const Dataset& val, const std::filesystem::path& weights,
                                          const PredictionSink& sink) {
  UseConfiguredThreads(config);
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> train,
                         BuildDataset(config, registries, "data.train", seed));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<TaskModel> model,
                         LoadTrainedModel(config, registries, train->Info(), seed, weights));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Evaluator> evaluator,
                         BuildEvaluator(config, registries, val.Info()));
  STLAB_ASSIGN_OR_RETURN(const EvaluationOptions options, EvaluationOptionsOf(config));
  LogInfo(absl::StrCat("evaluating ", weights.string(), " on ", val.Size(), " images",
                       options.resize.Enabled()
                           ? absl::StrCat(" (resized: ", options.resize.Describe(), ")")
                           : ""));
  return EvaluateModel(*model, val, *evaluator, options, sink);
}

absl::StatusOr<Metrics> EvaluateWeights(const ValidatedConfig& config, const Registries& registries,
                                        const std::filesystem::path& weights) {
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> val, BuildValidationData(config, registries));
  return EvaluateWeightsOn(config, registries, *val, weights);
}

}  // namespace stlab
