// `stlab eval CONFIG --checkpoint PATH [--json OUT] [--detections_out DETS]`:
// evaluates saved weights (a run's checkpoint.pt or model_final.pt) on the config's
// data.val, optionally writing the detections as COCO results for pycocotools.
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/atomic_file.h"
#include "core/engine/evaluation.h"
#include "core/engine/metrics_log.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"

ABSL_FLAG(std::string, checkpoint, "", "eval: weights to evaluate (checkpoint.pt or model_final.pt)");
ABSL_FLAG(std::string, detections_out, "",
          "eval: also write the detections as a COCO results JSON (for pycocotools)");
ABSL_DECLARE_FLAG(std::string, json);

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
                                           const std::filesystem::path& checkpoint) {
  const std::string detections_out = absl::GetFlag(FLAGS_detections_out);
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

}  // namespace

int RunEvalCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  const std::string checkpoint = absl::GetFlag(FLAGS_checkpoint);
  if (args.size() != 1 || checkpoint.empty()) {
    std::cerr << "usage: stlab eval CONFIG --checkpoint PATH [--json OUT.json] "
                 "[--detections_out DETS.json] [--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<Metrics> metrics = EvaluateCheckpoint(*config, registries, checkpoint);
  if (!metrics.ok()) {
    std::cerr << "error: " << metrics.status().message() << "\n";
    return 1;
  }
  PrintMetrics(*metrics);
  if (const std::string out = absl::GetFlag(FLAGS_json); !out.empty()) {
    if (absl::Status s = WriteFileAtomically(out, MetricsJson(*metrics) + "\n"); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace stlab::cli
