// Pseudo labels: labeling, persistence, summary, dataset.
#include "core/engine/pseudo_labels.h"

#include <algorithm>
#include <sstream>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/engine/metrics_log.h"
#include "core/status.h"
#include "simdjson.h"
#include "torch/serialize/input-archive.h"
#include "torch/serialize/output-archive.h"

namespace stlab {
namespace {

constexpr char kFormatKey[] = "stlab_pseudo_labels_format";
constexpr int64_t kFormatVersion = 1;

// The teacher's score of each pseudo box: that of the detection with the same
// box and class (labelers keep teacher boxes as they are).
absl::StatusOr<at::Tensor> ScoresOf(const Sample& label, const Detections& teacher) {
  const int64_t count = label.boxes.size(0);
  std::vector<float> scores(static_cast<size_t>(count));
  const at::Tensor boxes = teacher.boxes.to(at::kFloat);
  for (int64_t i = 0; i < count; ++i) {
    const at::Tensor same = (boxes == label.boxes[i]).all(1) & (teacher.labels == label.labels[i]);
    const at::Tensor found = same.nonzero();
    if (found.size(0) == 0) {
      return absl::InternalError(absl::StrCat(
          "pseudo box ", i, " is not one of the teacher's detections; its score is unknown"));
    }
    scores[static_cast<size_t>(i)] = teacher.scores[found[0][0].item<int64_t>()].item<float>();
  }
  return at::tensor(scores, at::kFloat);
}

}  // namespace

absl::Status ForEachTeacherPrediction(TaskModel& teacher, const Dataset& unlabeled,
                                      int64_t batch_size, const TeacherTtaOptions& tta,
                                      const TestTimeResize& resize,
                                      const PredictionVisitor& visit) {
  const bool was_training = teacher.is_training();
  teacher.eval();
  absl::Status status = absl::OkStatus();
  for (int64_t start = 0; start < unlabeled.Size() && status.ok(); start += batch_size) {
    std::vector<Sample> images;
    for (int64_t i = start; i < std::min(unlabeled.Size(), start + batch_size) && status.ok();
         ++i) {
      absl::StatusOr<Sample> sample = unlabeled.Get(i);
      if (sample.ok()) {
        images.push_back(*std::move(sample));
      } else {
        status = sample.status();
      }
    }
    if (!status.ok()) break;
    absl::StatusOr<std::vector<Prediction>> predictions = PredictWithTta(teacher, images, tta, resize);
    if (!predictions.ok()) {
      status = predictions.status();
      break;
    }
    for (size_t k = 0; k < images.size() && status.ok(); ++k) {
      status = visit(start + static_cast<int64_t>(k), images[k], (*predictions)[k]);
    }
  }
  teacher.train(was_training);
  return status;
}

absl::StatusOr<std::vector<Detections>> DetectPool(TaskModel& teacher, const Dataset& unlabeled,
                                                   int64_t batch_size,
                                                   const TeacherTtaOptions& tta,
                                                   const TestTimeResize& resize) {
  if (teacher.task() != Task::kDetection) {
    return absl::InvalidArgumentError("detections over a pool need a detection teacher");
  }
  std::vector<Detections> pool;
  pool.reserve(static_cast<size_t>(unlabeled.Size()));
  STLAB_RETURN_IF_ERROR(ForEachTeacherPrediction(
      teacher, unlabeled, batch_size, tta, resize,
      [&pool](int64_t, const Sample&, Prediction& prediction) {
        pool.push_back(std::move(prediction.detections));
        return absl::OkStatus();
      }));
  return pool;
}

absl::StatusOr<PseudoLabelSet> PseudoLabel(TaskModel& teacher, const Dataset& unlabeled,
                                           const PseudoLabeler& labeler, int64_t batch_size,
                                           const TeacherTtaOptions& tta,
                                           PseudoLabelQuality* quality,
                                           const TestTimeResize& resize,
                                           const PredictionMap& calibrate) {
  PseudoLabelSet set;
  STLAB_RETURN_IF_ERROR(ForEachTeacherPrediction(
      teacher, unlabeled, batch_size, tta, resize,
      [&](int64_t index, const Sample& image, Prediction& raw) -> absl::Status {
        const Prediction prediction = calibrate ? calibrate(raw) : raw;
        absl::StatusOr<std::optional<Sample>> labeled = labeler.Label(image, prediction);
        if (!labeled.ok()) return Annotate(labeled.status(), image.source);
        if (quality != nullptr && quality->HasGroundTruth(image)) {
          quality->Add(image, prediction, labeled->has_value() ? &**labeled : nullptr);
        }
        if (!labeled->has_value()) return absl::OkStatus();
        // Only what the teacher produced is kept: any ground truth the unlabeled
        // source happens to carry (the synthetic pool has it) must not leak through.
        Sample label;
        label.image_id = (*labeled)->image_id;
        label.source = (*labeled)->source;
        label.pseudo_labeled = true;
        if (teacher.task() == Task::kDetection) {
          label.boxes = (*labeled)->boxes;
          label.labels = (*labeled)->labels;
          label.label_scores = (*labeled)->label_scores;
          label.ignore_boxes = (*labeled)->ignore_boxes;
          absl::StatusOr<at::Tensor> scores = ScoresOf(label, prediction.detections);
          if (!scores.ok()) return Annotate(scores.status(), image.source);
          set.scores.push_back(*std::move(scores));
        } else {
          label.mask = (*labeled)->mask;
          label.soft_mask = (*labeled)->soft_mask;
        }
        set.indices.push_back(index);
        set.labels.push_back(std::move(label));
        return absl::OkStatus();
      }));
  return set;
}

absl::Status WritePseudoLabels(const std::filesystem::path& path, const PseudoLabelSet& set) {
  std::ostringstream bytes;
  STLAB_RETURN_IF_ERROR(CallAndCatch("writing pseudo labels", [&]() -> absl::Status {
    torch::serialize::OutputArchive archive;
    archive.write(kFormatKey, c10::IValue(kFormatVersion));
    archive.write("indices", at::tensor(set.indices, at::kLong), /*is_buffer=*/true);
    for (size_t i = 0; i < set.labels.size(); ++i) {
      const Sample& label = set.labels[i];
      const std::string key = absl::StrCat(i);
      if (label.boxes.defined()) {
        archive.write(key + "/boxes", label.boxes, true);
        archive.write(key + "/labels", label.labels, true);
      }
      if (label.label_scores.defined()) {
        archive.write(key + "/label_scores", label.label_scores, true);
      }
      if (label.ignore_boxes.defined()) {
        archive.write(key + "/ignore_boxes", label.ignore_boxes, true);
      }
      if (i < set.scores.size()) archive.write(key + "/scores", set.scores[i], true);
      if (label.mask.defined()) archive.write(key + "/mask", label.mask, true);
      if (label.soft_mask.defined()) archive.write(key + "/soft_mask", label.soft_mask, true);
    }
    for (const auto& [name, value] : set.provenance) {
      archive.write(absl::StrCat("provenance/", name), c10::IValue(value));
    }
    archive.save_to(bytes);
    return absl::OkStatus();
  }));
  return WriteFileAtomically(path, bytes.str());
}

absl::StatusOr<PseudoLabelSet> ReadPseudoLabels(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat("pseudo labels '", path.string(), "' do not exist"));
  }
  return CallAndCatch(absl::StrCat("reading pseudo labels '", path.string(), "'"),
                      [&]() -> absl::StatusOr<PseudoLabelSet> {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    c10::IValue format;
    if (!archive.try_read(kFormatKey, format) || !format.isInt() || format.toInt() != kFormatVersion) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path.string(), "' is not an stlab pseudo-label file"));
    }
    PseudoLabelSet set;
    at::Tensor indices;
    archive.read("indices", indices, true);
    set.indices.assign(indices.data_ptr<int64_t>(), indices.data_ptr<int64_t>() + indices.numel());
    for (size_t i = 0; i < set.indices.size(); ++i) {
      const std::string key = absl::StrCat(i);
      Sample label;
      // NOTE: every read gets a tensor of its own: reading into a defined tensor
      // replaces the storage of every tensor that shares it.
      if (at::Tensor boxes; archive.try_read(key + "/boxes", boxes, true)) {
        label.boxes = boxes;
        archive.read(key + "/labels", label.labels, true);
      }
      if (at::Tensor label_scores; archive.try_read(key + "/label_scores", label_scores, true)) {
        label.label_scores = label_scores;
      }
      if (at::Tensor ignore_boxes; archive.try_read(key + "/ignore_boxes", ignore_boxes, true)) {
        label.ignore_boxes = ignore_boxes;
      }
      if (at::Tensor mask; archive.try_read(key + "/mask", mask, true)) label.mask = mask;
      if (at::Tensor soft_mask; archive.try_read(key + "/soft_mask", soft_mask, true)) {
        label.soft_mask = soft_mask;
      }
      if (at::Tensor scores; archive.try_read(key + "/scores", scores, true)) {
        set.scores.push_back(scores);
      }
      label.pseudo_labeled = true;
      set.labels.push_back(std::move(label));
    }
    for (const std::string& name : archive.keys()) {
      if (name.rfind("provenance/", 0) != 0) continue;
      c10::IValue value;
      archive.read(name, value);
      set.provenance[name.substr(11)] = value.toStringRef();
    }
    return set;
  });
}

std::string PseudoLabelSummaryJson(const PseudoLabelSet& set, int64_t num_unlabeled,
                                   const DatasetInfo& info, const PseudoLabelQuality* quality) {
  int64_t boxes = 0;
  int64_t ignore_regions = 0;
  std::vector<int64_t> per_class;
  const bool masks = !set.labels.empty() && set.labels.front().mask.defined();
  const std::vector<std::string>& names = masks ? info.mask_class_names : info.class_names;
  per_class.assign(names.size(), 0);
  for (const Sample& label : set.labels) {
    if (label.ignore_boxes.defined()) ignore_regions += label.ignore_boxes.size(0);
    if (label.boxes.defined()) {
      boxes += label.boxes.size(0);
      const at::Tensor counts = at::bincount(label.labels, {}, static_cast<int64_t>(names.size()));
      for (size_t c = 0; c < names.size(); ++c) per_class[c] += counts[c].item<int64_t>();
    }
    if (label.mask.defined()) {
      const at::Tensor counts =
          at::bincount(label.mask.flatten().to(at::kLong), {}, 256).narrow(0, 0, static_cast<int64_t>(names.size()));
      for (size_t c = 0; c < names.size(); ++c) per_class[c] += counts[c].item<int64_t>();
    }
  }
  constexpr int64_t kScoreBins = 10;
  std::vector<int64_t> score_bins(kScoreBins, 0);
  for (const at::Tensor& scores : set.scores) {
    const at::Tensor bins =
        (scores * kScoreBins).floor().clamp(0, kScoreBins - 1).to(at::kLong);
    const at::Tensor counts = at::bincount(bins, {}, kScoreBins);
    for (int64_t b = 0; b < kScoreBins; ++b) score_bins[b] += counts[b].item<int64_t>();
  }
  std::vector<std::string> histogram;
  for (size_t c = 0; c < names.size(); ++c) {
    histogram.push_back(absl::StrCat(JsonString(names[c]), ": ", per_class[c]));
  }
  std::vector<std::string> provenance;
  for (const auto& [name, value] : set.provenance) {
    provenance.push_back(absl::StrCat(JsonString(name), ": ", JsonString(value)));
  }
  // Bin b counts scores in [b / 10, (b + 1) / 10), the last bin includes 1.
  const std::string scores_json =
      masks ? "" : absl::StrCat("\"score_histogram\": [", absl::StrJoin(score_bins, ", "), "], ");
  const double kept = static_cast<double>(set.labels.size());
  const bool soft = std::any_of(set.labels.begin(), set.labels.end(), [](const Sample& label) {
    return label.label_scores.defined() || label.soft_mask.defined();
  });
  return absl::StrCat(
      "{\"images\": ", num_unlabeled, ", \"kept\": ", set.labels.size(),
      ", \"boxes\": ", boxes, ", \"boxes_per_image\": ", JsonNumber(kept > 0 ? boxes / kept : 0.0),
      masks ? "" : absl::StrCat(", \"ignore_regions\": ", ignore_regions),
      ", \"", masks ? "pixels" : "boxes", "_per_class\": {", absl::StrJoin(histogram, ", "),
      "}, ", scores_json, "\"soft_labels\": ", soft ? "true" : "false",
      ", \"provenance\": {", absl::StrJoin(provenance, ", "), "}",
      quality != nullptr && quality->images() > 0 ? absl::StrCat(", \"quality\": ", quality->Json(names))
                                                  : "",
      "}\n");
}

absl::StatusOr<Metrics> PseudoLabelSummaryMetrics(const std::filesystem::path& summary) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(summary.string()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return absl::DataLossError(
        absl::StrCat(summary.string(), ": not a pseudo-label summary (JSON object expected)"));
  }
  Metrics metrics;
  auto read = [&metrics](simdjson::dom::element object, const char* field, const std::string& name) {
    double value = 0.0;
    if (object[field].get_double().get(value) == simdjson::SUCCESS) metrics[name] = value;
  };
  read(root, "kept", "pseudo/kept_images");
  if (root["boxes_per_class"].error() == simdjson::SUCCESS) {
    read(root, "boxes_per_image", "pseudo/boxes_per_image");
  }
  if (simdjson::dom::element quality; root["quality"].get(quality) == simdjson::SUCCESS) {
    for (const char* field : {"precision", "recall", "pixel_accuracy", "miou", "kept_fraction"}) {
      read(quality, field, absl::StrCat("pseudo/", field));
    }
  }
  if (!metrics.count("pseudo/kept_images")) {
    return absl::DataLossError(absl::StrCat(summary.string(), ": no \"kept\" count"));
  }
  return metrics;
}

PseudoLabeledDataset::PseudoLabeledDataset(std::shared_ptr<const Dataset> unlabeled,
                                           PseudoLabelSet set, DatasetInfo info)
    : unlabeled_(std::move(unlabeled)), set_(std::move(set)), info_(std::move(info)) {}

absl::StatusOr<Sample> PseudoLabeledDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(absl::StrCat("pseudo-labeled index ", index, " not in [0, ", Size(), ")"));
  }
  STLAB_ASSIGN_OR_RETURN(Sample sample, unlabeled_->Get(set_.indices[index]));
  const Sample& label = set_.labels[index];
  sample.boxes = label.boxes.defined() ? label.boxes : at::zeros({0, 4});
  sample.labels = label.labels.defined() ? label.labels : at::zeros({0}, at::kLong);
  sample.ignore_boxes = label.ignore_boxes;
  sample.label_scores = label.label_scores;
  sample.mask = label.mask;
  sample.soft_mask = label.soft_mask;
  sample.pseudo_labeled = true;
  return sample;
}

}  // namespace stlab
