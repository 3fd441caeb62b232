// `stlab eval CONFIG --checkpoint PATH [--json OUT] [--detections_out DETS]`:
// evaluates saved weights (a run's checkpoint.pt or model_final.pt) on the config's
// data.val, optionally writing the detections as COCO results for pycocotools.
#include <iostream>
#include <variant>

#include "absl/strings/str_cat.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/atomic_file.h"
#include "core/engine/evaluation.h"
#include "core/engine/metrics_log.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"


namespace stlab::cli {
namespace {

// Collects detections as COCO results: category ids from the dataset, boxes as
// [x, y, width, height].
PredictionSink CocoResultsSink(const DatasetInfo& info, std::vector<coco::Detection>& out) {
  return [&info, &out](const Sample& sample, const Prediction& prediction) -> absl::Status {
    const Detections& d = prediction.detections;
    if (!d.boxes.defined()) {
      return absl::InvalidArgumentError("--detections_out needs a detection model");
    }
    const at::Tensor boxes = d.boxes.to(at::kDouble).contiguous();
    const at::Tensor labels = d.labels.contiguous();
    const at::Tensor scores = d.scores.to(at::kDouble).contiguous();
    for (int64_t k = 0; k < boxes.size(0); ++k) {
      const double* b = boxes.data_ptr<double>() + 4 * k;
      const int64_t label = labels.data_ptr<int64_t>()[k];
      if (label < 0 || label >= static_cast<int64_t>(info.category_ids.size())) {
        return absl::InternalError(absl::StrCat("predicted label ", label, " has no category id"));
      }
      out.push_back({sample.image_id, info.category_ids[label], {b[0], b[1], b[2] - b[0], b[3] - b[1]},
                     scores.data_ptr<double>()[k]});
    }
    return absl::OkStatus();
  };
}

absl::StatusOr<Metrics> EvaluateCheckpoint(const ValidatedConfig& config, const Registries& registries,
                                           const std::filesystem::path& checkpoint,
                                           const std::string& detections_out) {
  absl::StatusOr<std::shared_ptr<const Dataset>> val = BuildValidationData(config, registries);
  if (!val.ok()) return val.status();
  if (detections_out.empty()) return EvaluateWeightsOn(config, registries, **val, checkpoint);
  // The sink needs the classes' category ids: those of the validation data.
  std::vector<coco::Detection> detections;
  absl::StatusOr<Metrics> metrics = EvaluateWeightsOn(config, registries, **val, checkpoint,
                                                      CocoResultsSink((*val)->Info(), detections));
  if (!metrics.ok()) return metrics;
  if (absl::Status s = coco::WriteDetections(detections_out, detections); !s.ok()) return s;
  return metrics;
}

int RunEval(const Invocation& invocation) {
  const std::string checkpoint = invocation.Flag("checkpoint");
  if (checkpoint.empty()) return UsageError(invocation, "--checkpoint is required");
  Registries registries;
  std::variant<ValidatedConfig, int> config = LoadCommandConfig(invocation, registries);
  if (const int* exit_code = std::get_if<int>(&config)) return *exit_code;
  absl::StatusOr<Metrics> metrics =
      EvaluateCheckpoint(std::get<ValidatedConfig>(config), registries, checkpoint,
                         invocation.Flag("detections_out"));
  if (!metrics.ok()) {
    std::cerr << "error: " << metrics.status().message() << "\n";
    return 1;
  }
  PrintMetrics(*metrics);
  if (const std::string out = invocation.Flag("json"); !out.empty()) {
    if (absl::Status s = WriteFileAtomically(out, MetricsJson(*metrics) + "\n"); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

STLAB_COMMAND({"eval", "CONFIG --checkpoint PATH",
               "evaluate saved weights on the config's data.val",
               {{"checkpoint", "PATH", "weights to evaluate (checkpoint.pt or model_final.pt)"},
                {"json", "OUT.json", "also write the metrics to this JSON file"},
                {"detections_out", "DETS.json",
                 "also write the detections as a COCO results JSON (for pycocotools)"}},
               RunEval});

}  // namespace stlab::cli
