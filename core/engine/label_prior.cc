// Label-prior calibration of a teacher's detection scores.
#include "core/engine/label_prior.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status.h"

namespace stlab {

absl::StatusOr<std::vector<double>> BoxesPerImageByClass(const Dataset& labeled,
                                                         int64_t num_classes,
                                                         int64_t max_images) {
  if (num_classes <= 0) return absl::InvalidArgumentError("the label prior needs classes");
  const int64_t size = labeled.Size();
  if (size == 0) return absl::InvalidArgumentError("the label prior needs labeled images");
  const int64_t count = std::min(size, std::max<int64_t>(max_images, 1));
  std::vector<double> boxes(static_cast<size_t>(num_classes), 0.0);
  for (int64_t k = 0; k < count; ++k) {
    const int64_t index = k * size / count;  // Evenly spaced, the first image included.
    STLAB_ASSIGN_OR_RETURN(const Sample sample, labeled.Get(index));
    if (!sample.labels.defined() || sample.labels.numel() == 0) continue;
    const at::Tensor labels = sample.labels.to(at::kLong).contiguous();
    const int64_t* data = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < labels.numel(); ++i) {
      if (data[i] < 0 || data[i] >= num_classes) {
        return absl::InvalidArgumentError(
            absl::StrCat(sample.source, ": label ", data[i], " is outside the ", num_classes,
                         " classes of the label prior"));
      }
      boxes[static_cast<size_t>(data[i])] += 1.0;
    }
  }
  for (double& b : boxes) b /= static_cast<double>(count);
  return boxes;
}

LabelPriorCalibration LabelPriorCalibration::Fit(const std::vector<double>& boxes_per_image,
                                                 const std::vector<Detections>& pool) {
  const size_t num_classes = boxes_per_image.size();
  std::vector<std::vector<float>> scores(num_classes);
  for (const Detections& detections : pool) {
    if (!detections.scores.defined() || detections.scores.numel() == 0) continue;
    const at::Tensor s = detections.scores.to(at::kFloat).contiguous();
    const at::Tensor l = detections.labels.to(at::kLong).contiguous();
    const float* sd = s.data_ptr<float>();
    const int64_t* ld = l.data_ptr<int64_t>();
    for (int64_t i = 0; i < s.numel(); ++i) {
      if (ld[i] >= 0 && static_cast<size_t>(ld[i]) < num_classes) {
        scores[static_cast<size_t>(ld[i])].push_back(sd[i]);
      }
    }
  }
  LabelPriorCalibration calibration;
  calibration.boxes_per_image_ = boxes_per_image;
  calibration.cuts_.assign(num_classes, 1.0);
  for (size_t c = 0; c < num_classes; ++c) {
    const auto wanted = static_cast<size_t>(
        std::llround(boxes_per_image[c] * static_cast<double>(pool.size())));
    std::vector<float>& s = scores[c];
    if (wanted == 0 || s.empty()) continue;  // Cut 1: no box of the class is kept.
    if (wanted >= s.size()) {
      calibration.cuts_[c] = *std::min_element(s.begin(), s.end());
      continue;
    }
    std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(wanted - 1), s.end(),
                     std::greater<float>());
    calibration.cuts_[c] = s[wanted - 1];
  }
  return calibration;
}

Detections LabelPriorCalibration::Apply(const Detections& detections) const {
  Detections out = detections;
  if (!detections.scores.defined() || detections.scores.numel() == 0) return out;
  const at::Tensor s = detections.scores.to(at::kFloat).contiguous();
  const at::Tensor l = detections.labels.to(at::kLong).contiguous();
  at::Tensor mapped = at::empty_like(s);
  const float* sd = s.data_ptr<float>();
  const int64_t* ld = l.data_ptr<int64_t>();
  float* md = mapped.data_ptr<float>();
  for (int64_t i = 0; i < s.numel(); ++i) {
    const double cut = ld[i] >= 0 && static_cast<size_t>(ld[i]) < cuts_.size()
                           ? cuts_[static_cast<size_t>(ld[i])]
                           : 1.0;
    const double score = std::clamp(static_cast<double>(sd[i]), 0.0, 1.0);
    double value = 0.0;
    if (score <= cut) {
      value = cut > 0.0 ? kLabelPriorCut * score / cut : kLabelPriorCut;
    } else {
      value = kLabelPriorCut + (1.0 - kLabelPriorCut) * (score - cut) / (1.0 - cut);
    }
    md[i] = static_cast<float>(std::clamp(value, 0.0, 1.0));
  }
  out.scores = mapped;
  return out;
}

std::string LabelPriorCalibration::Describe(const std::vector<std::string>& class_names) const {
  std::string text;
  for (size_t c = 0; c < cuts_.size(); ++c) {
    absl::StrAppend(&text, c == 0 ? "" : ", ",
                    c < class_names.size() ? class_names[c] : absl::StrCat("class ", c), ":",
                    absl::StrFormat("%.3f (%.3f boxes/image)", cuts_[c], boxes_per_image_[c]));
  }
  return text;
}

}  // namespace stlab
