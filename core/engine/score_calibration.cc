// Score calibrations of a teacher's predictions over a pool.
#include "core/engine/score_calibration.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status.h"

namespace stlab {

at::Tensor CalibratedScores(const at::Tensor& scores, const at::Tensor& cuts) {
  const at::Tensor score = scores.clamp(0.0, 1.0);
  const at::Tensor cut = cuts.to(score.scalar_type()).clamp(0.0, 1.0);
  const at::Tensor below = at::where(cut.gt(0), score / cut.clamp_min(1e-12) * kCalibratedCut,
                                     at::full_like(score, kCalibratedCut));
  const at::Tensor above =
      kCalibratedCut + (1.0 - kCalibratedCut) * (score - cut) / (1.0 - cut).clamp_min(1e-12);
  return at::where(score.le(cut), below, above).clamp(0.0, 1.0);
}

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
  // Each class's cut, and cut 1 (entry C) for a label outside the classes.
  std::vector<float> cuts(cuts_.begin(), cuts_.end());
  cuts.push_back(1.0f);
  const auto num_classes = static_cast<int64_t>(cuts_.size());
  const at::Tensor labels = detections.labels.to(at::kLong);
  const at::Tensor index = at::where(labels.ge(0) & labels.lt(num_classes), labels,
                                     at::full_like(labels, num_classes));
  out.scores = CalibratedScores(detections.scores.to(at::kFloat),
                                at::tensor(cuts, at::kFloat).index_select(0, index));
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

ClassPortionCalibration::ClassPortionCalibration(int64_t num_classes, double portion)
    : portion_(std::clamp(portion, 0.0, 1.0)),
      histogram_(at::zeros({std::max<int64_t>(num_classes, 1), kBins}, at::kLong)),
      cuts_(static_cast<size_t>(std::max<int64_t>(num_classes, 1)), 1.0) {}

void ClassPortionCalibration::Add(const at::Tensor& class_probs) {
  if (!class_probs.defined() || class_probs.numel() == 0) return;
  const int64_t num_classes = histogram_.size(0);
  const auto [top, arg] = class_probs.to(at::kFloat).max(0);
  const at::Tensor bins =
      (top.flatten() * kBins).floor().clamp(0, kBins - 1).to(at::kLong);
  const at::Tensor classes = arg.flatten().clamp(0, num_classes - 1);
  histogram_.view(-1).add_(at::bincount(classes * kBins + bins, {}, num_classes * kBins));
}

void ClassPortionCalibration::Finish() {
  const at::Tensor counts = histogram_.contiguous();
  const int64_t* data = counts.data_ptr<int64_t>();
  for (size_t c = 0; c < cuts_.size(); ++c) {
    const int64_t* row = data + static_cast<int64_t>(c) * kBins;
    int64_t total = 0;
    for (int64_t b = 0; b < kBins; ++b) total += row[b];
    cuts_[c] = 1.0;
    if (total == 0) continue;
    const auto wanted = static_cast<int64_t>(std::ceil(portion_ * static_cast<double>(total)));
    int64_t kept = 0;
    for (int64_t b = kBins - 1; b >= 0; --b) {
      kept += row[b];
      if (kept >= wanted) {
        cuts_[c] = static_cast<double>(b) / static_cast<double>(kBins);
        break;
      }
    }
  }
}

at::Tensor ClassPortionCalibration::Apply(const at::Tensor& class_probs) const {
  if (!class_probs.defined() || class_probs.numel() == 0) return class_probs;
  const at::Tensor probs = class_probs.to(at::kFloat);
  const auto [top, arg] = probs.max(0, /*keepdim=*/true);
  const at::Tensor cut =
      at::tensor(std::vector<float>(cuts_.begin(), cuts_.end()), at::kFloat)
          .index_select(0, arg.flatten().clamp(0, static_cast<int64_t>(cuts_.size()) - 1))
          .view_as(top);
  const at::Tensor mapped = CalibratedScores(top, cut);
  // Above the cut (mapped > kCalibratedCut) the other classes share 1 - p',
  // which keeps the class on top; at or below it every probability is scaled by p' / p,
  // which keeps the order (the pixel sums to less than 1, and a labeler at the
  // calibrated cut ignores it).
  const at::Tensor rest = 1.0 - top;
  const at::Tensor renormalized =
      at::where(rest.gt(1e-12), (1.0 - mapped) / rest.clamp_min(1e-12), at::zeros_like(rest));
  const at::Tensor scaled = mapped / top.clamp_min(1e-12);
  const at::Tensor scale = at::where(mapped.gt(kCalibratedCut), renormalized, scaled);
  return (probs * scale).scatter(0, arg, mapped);
}

std::string ClassPortionCalibration::Describe(const std::vector<std::string>& class_names) const {
  const at::Tensor totals = histogram_.sum(1);
  std::string text;
  for (size_t c = 0; c < cuts_.size(); ++c) {
    absl::StrAppend(&text, c == 0 ? "" : ", ",
                    c < class_names.size() ? class_names[c] : absl::StrCat("class ", c), ":",
                    absl::StrFormat("%.3f (%d px)", cuts_[c],
                                    totals[static_cast<int64_t>(c)].item<int64_t>()));
  }
  return text;
}

}  // namespace stlab
