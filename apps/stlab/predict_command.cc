// `stlab predict CONFIG --checkpoint PATH --images DIR --output_dir DIR`: runs saved
// weights on a folder of images (the image_folder dataset: .jpg/.jpeg/.png, in byte
// order of their paths) at the config's test-time size, and writes what the model
// sees: predictions.jsonl (one line per image: its file and, for detection, the
// boxes in its pixel coordinates with scores and class names; for segmentation, the
// label PNG written next to it) and a drawing per image.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/stlab/command.h"
#include "apps/stlab/run_output.h"
#include "core/atomic_file.h"
#include "core/data/drawing.h"
#include "core/engine/components.h"
#include "core/engine/evaluation.h"
#include "core/engine/metrics_log.h"
#include "core/engine/task_model.h"
#include "core/engine/teacher_tta.h"
#include "core/status.h"

namespace stlab::cli {
namespace {

namespace fs = std::filesystem;

// The detections of one image at or above `threshold`, as a JSON object's fields.
std::string DetectionsJson(const Detections& detections, double threshold,
                           const std::vector<std::string>& class_names, Sample& drawn) {
  const at::Tensor keep = detections.scores >= threshold;
  const at::Tensor boxes = detections.boxes.index({keep}).to(at::kFloat).contiguous();
  const at::Tensor scores = detections.scores.index({keep}).to(at::kFloat).contiguous();
  const at::Tensor labels = detections.labels.index({keep}).to(at::kLong).contiguous();
  std::string out = "\"detections\": [";
  for (int64_t k = 0; k < boxes.size(0); ++k) {
    const float* b = boxes.data_ptr<float>() + 4 * k;
    const int64_t label = labels.data_ptr<int64_t>()[k];
    const std::string name = label >= 0 && label < static_cast<int64_t>(class_names.size())
                                 ? class_names[static_cast<size_t>(label)]
                                 : absl::StrCat(label);
    absl::StrAppend(&out, k > 0 ? ", " : "", "{\"box\": [", JsonNumber(b[0]), ", ",
                    JsonNumber(b[1]), ", ", JsonNumber(b[2]), ", ", JsonNumber(b[3]),
                    "], \"score\": ", JsonNumber(scores.data_ptr<float>()[k]),
                    ", \"class\": ", JsonString(name), "}");
  }
  drawn.boxes = boxes;
  drawn.labels = labels;
  return absl::StrCat(out, "]");
}

absl::StatusOr<int64_t> Predict(const ValidatedConfig& config, const Registries& registries,
                                const fs::path& checkpoint, const fs::path& images,
                                const fs::path& output_dir, double threshold) {
  UseConfiguredThreads(config);
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  // The classes come from the training data, as the model was built from it.
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> train,
                         BuildDataset(config, registries, "data.train", seed));
  if (train == nullptr) return absl::InvalidArgumentError("the config has no [data.train]");
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<TaskModel> model,
                         LoadTrainedModel(config, registries, train->Info(), seed, checkpoint));
  model->eval();
  STLAB_ASSIGN_OR_RETURN(const EvaluationOptions evaluation, EvaluationOptionsOf(config));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Dataset> folder,
                         registries.datasets().Create("image_folder",
                                                      {{"root", fs::absolute(images).string()}},
                                                      DatasetContext{fs::current_path(), seed}));
  const DatasetInfo& info = train->Info();
  const DrawingNames names{info.class_names, info.mask_class_names};
  std::error_code error;
  fs::create_directories(output_dir, error);
  std::string lines;
  for (int64_t start = 0; start < folder->Size(); start += evaluation.batch_size) {
    std::vector<Sample> samples;
    for (int64_t i = start; i < std::min(folder->Size(), start + evaluation.batch_size); ++i) {
      STLAB_ASSIGN_OR_RETURN(Sample sample, folder->Get(i));
      samples.push_back(std::move(sample));
    }
    STLAB_ASSIGN_OR_RETURN(
        const std::vector<Prediction> predictions,
        PredictWithTta(*model, samples, TeacherTtaOptions(), evaluation.resize));
    for (size_t k = 0; k < samples.size(); ++k) {
      const int64_t index = start + static_cast<int64_t>(k);
      Sample drawn;
      drawn.image = samples[k].image;
      std::string fields;
      if (model->task() == Task::kDetection) {
        fields = DetectionsJson(predictions[k].detections, threshold, info.class_names, drawn);
      } else {
        drawn.mask = predictions[k].class_probs.argmax(0).to(at::kByte);
        const fs::path labels = output_dir / absl::StrFormat("labels_%06d.png", index);
        STLAB_ASSIGN_OR_RETURN(const std::string png, EncodePng(drawn.mask));
        STLAB_RETURN_IF_ERROR(WriteFileAtomically(labels, png));
        fields = absl::StrCat("\"labels\": ", JsonString(labels.filename().string()));
      }
      const fs::path picture = output_dir / absl::StrFormat("predicted_%06d.png", index);
      STLAB_ASSIGN_OR_RETURN(const at::Tensor image, DrawSample(drawn, names));
      STLAB_ASSIGN_OR_RETURN(const std::string png, EncodePng(image));
      STLAB_RETURN_IF_ERROR(WriteFileAtomically(picture, png));
      absl::StrAppend(&lines, "{\"image\": ", JsonString(samples[k].source), ", ", fields,
                      ", \"drawn\": ", JsonString(picture.filename().string()), "}\n");
    }
  }
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(output_dir / "predictions.jsonl", lines));
  return folder->Size();
}

int RunPredict(const Invocation& invocation) {
  const std::string checkpoint = invocation.Flag("checkpoint");
  const std::string images = invocation.Flag("images");
  const std::string output_dir = invocation.Flag("output_dir");
  if (checkpoint.empty() || images.empty() || output_dir.empty()) {
    return UsageError(invocation, "--checkpoint, --images and --output_dir are required");
  }
  double threshold = 0.3;
  if (const std::string text = invocation.Flag("score_threshold");
      !text.empty() && (!absl::SimpleAtod(text, &threshold) || threshold < 0 || threshold > 1)) {
    return UsageError(invocation,
                      absl::StrCat("--score_threshold takes a number in [0, 1], got '", text, "'"));
  }
  Registries registries;
  std::variant<ValidatedConfig, int> loaded = LoadCommandConfig(invocation, registries);
  if (const int* exit_code = std::get_if<int>(&loaded)) return *exit_code;
  absl::StatusOr<int64_t> count = CallAndCatch("predicting", [&] {
    return Predict(std::get<ValidatedConfig>(loaded), registries, checkpoint, images, output_dir,
                   threshold);
  });
  if (!count.ok()) {
    std::cerr << "error: " << count.status().message() << "\n";
    return 1;
  }
  std::cout << *count << " images: " << (fs::path(output_dir) / "predictions.jsonl").string()
            << "\n";
  return 0;
}

}  // namespace

STLAB_COMMAND({"predict", "CONFIG --checkpoint PATH --images DIR --output_dir DIR",
               "run saved weights on a folder of images at the config's test-time size: "
               "predictions.jsonl (boxes in each image's pixels with scores and classes, or a "
               "label PNG per image) and a drawing of each",
               {{"checkpoint", "PATH", "the weights (model_final.pt or checkpoint.pt)"},
                {"images", "DIR", "folder of .jpg/.jpeg/.png images (searched recursively)"},
                {"output_dir", "DIR", "folder for predictions.jsonl and the drawings"},
                {"score_threshold", "S", "detection: boxes kept from this score (default 0.3)"}},
               RunPredict});

}  // namespace stlab::cli
