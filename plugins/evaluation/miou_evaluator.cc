// Confusion-matrix accumulation in one pass over the pixels.
#include "plugins/evaluation/miou_evaluator.h"

#include <cmath>
#include <limits>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"

namespace stlab::evaluation {

MeanIouEvaluator::MeanIouEvaluator(std::vector<std::string> class_names)
    : class_names_(std::move(class_names)),
      confusion_(class_names_.size() * class_names_.size(), 0) {}

absl::Status MeanIouEvaluator::Add(const Sample& ground_truth, const Prediction& prediction) {
  const int64_t c = static_cast<int64_t>(class_names_.size());
  const at::Tensor& mask = ground_truth.mask;
  const at::Tensor& probs = prediction.class_probs;
  if (!mask.defined() || mask.dim() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("miou: ", ground_truth.source, ": ground truth has no [H, W] mask"));
  }
  if (!probs.defined() || probs.dim() != 3 || probs.size(0) != c ||
      probs.size(1) != mask.size(0) || probs.size(2) != mask.size(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "miou: ", ground_truth.source, ": prediction must be [", c, ", ", mask.size(0), ", ",
        mask.size(1), "] class probabilities, got ", probs.defined() ? probs.sizes().vec().size() : 0,
        "-d"));
  }
  // One pass over the pixels, without the argmax, index and bincount tensors of
  // the ATen formulation (torch's own): the running maximum over the classes is
  // taken class by class over contiguous rows (ties go to the lower class, as
  // argmax's), then each labelled pixel counts into a local confusion matrix,
  // merged only when the whole image was valid.
  const at::Tensor scores = probs.to(at::kFloat).contiguous();
  const at::Tensor labels = mask.to(at::kByte).contiguous();
  const int64_t pixels = labels.numel();
  const float* score = scores.data_ptr<float>();
  const uint8_t* truth = labels.data_ptr<uint8_t>();
  std::vector<float> best(score, score + pixels);
  std::vector<int32_t> predicted(static_cast<size_t>(pixels), 0);
  for (int64_t k = 1; k < c; ++k) {
    const float* row = score + k * pixels;
    for (int64_t i = 0; i < pixels; ++i) {
      const bool higher = row[i] > best[i];
      best[i] = higher ? row[i] : best[i];
      predicted[i] = higher ? static_cast<int32_t>(k) : predicted[i];
    }
  }
  std::vector<int64_t> counts(confusion_.size(), 0);
  for (int64_t i = 0; i < pixels; ++i) {
    const int64_t t = truth[i];
    if (t == kIgnoreLabel) continue;
    if (t >= c) {
      return absl::InvalidArgumentError(
          absl::StrCat("miou: ", ground_truth.source, ": mask holds class ", t,
                       " but the dataset has ", c, " classes (and 255 = ignore)"));
    }
    ++counts[static_cast<size_t>(t * c + predicted[i])];
  }
  for (size_t i = 0; i < counts.size(); ++i) confusion_[i] += counts[i];
  return absl::OkStatus();
}

absl::StatusOr<Metrics> MeanIouEvaluator::Compute() const {
  const size_t c = class_names_.size();
  Metrics metrics;
  double iou_sum = 0.0;
  int64_t iou_count = 0;
  int64_t correct = 0;
  int64_t total = 0;
  for (size_t k = 0; k < c; ++k) {
    int64_t row = 0;
    int64_t column = 0;
    for (size_t j = 0; j < c; ++j) {
      row += confusion_[k * c + j];
      column += confusion_[j * c + k];
    }
    const int64_t tp = confusion_[k * c + k];
    const int64_t union_size = row + column - tp;
    correct += tp;
    total += row;
    double iou = std::numeric_limits<double>::quiet_NaN();
    if (union_size > 0) {
      iou = static_cast<double>(tp) / static_cast<double>(union_size);
      iou_sum += iou;
      ++iou_count;
    }
    metrics[absl::StrCat("IoU/", class_names_[k])] = iou;
  }
  metrics["mIoU"] = iou_count > 0 ? iou_sum / static_cast<double>(iou_count)
                                  : std::numeric_limits<double>::quiet_NaN();
  metrics["pixel_accuracy"] = total > 0 ? static_cast<double>(correct) / static_cast<double>(total)
                                        : std::numeric_limits<double>::quiet_NaN();
  return metrics;
}

}  // namespace stlab::evaluation
