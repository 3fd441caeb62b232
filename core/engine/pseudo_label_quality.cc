// Pseudo-label quality against hidden labels.
#include "core/engine/pseudo_label_quality.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/engine/metrics_log.h"

namespace stlab {
namespace {

constexpr double kMatchIou = 0.5;
constexpr double kIgnoreCover = 0.5;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What a box turned out to be.
enum class Match : int8_t { kFalse, kTrue, kIgnored };

double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : kNaN;
}

int64_t Sum(const std::vector<int64_t>& values) {
  return std::accumulate(values.begin(), values.end(), int64_t{0});
}

// [N, 4] x [M, 4] float boxes (x1, y1, x2, y2) -> intersection areas [N, M].
at::Tensor Intersections(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor lt = at::max(a.unsqueeze(1).narrow(2, 0, 2), b.unsqueeze(0).narrow(2, 0, 2));
  const at::Tensor rb = at::min(a.unsqueeze(1).narrow(2, 2, 2), b.unsqueeze(0).narrow(2, 2, 2));
  const at::Tensor wh = (rb - lt).clamp_min(0);
  return wh.select(2, 0) * wh.select(2, 1);
}

at::Tensor Areas(const at::Tensor& boxes) {
  return (boxes.select(1, 2) - boxes.select(1, 0)).clamp_min(0) *
         (boxes.select(1, 3) - boxes.select(1, 1)).clamp_min(0);
}

// COCO's greedy matching of `boxes` (descending score) to `truth` at IoU >= 0.5,
// within classes; unmatched boxes mostly inside an ignore region are ignored.
std::vector<Match> MatchBoxes(const at::Tensor& boxes, const at::Tensor& labels,
                              const at::Tensor& truth_boxes, const at::Tensor& truth_labels,
                              const at::Tensor& ignore_boxes) {
  const int64_t n = boxes.size(0);
  const int64_t m = truth_boxes.size(0);
  std::vector<Match> matches(static_cast<size_t>(n), Match::kFalse);
  if (n == 0) return matches;
  const at::Tensor b = boxes.to(at::kFloat).contiguous();
  if (m > 0) {
    const at::Tensor t = truth_boxes.to(at::kFloat).contiguous();
    const at::Tensor inter = Intersections(b, t);
    const at::Tensor iou =
        (inter / (Areas(b).unsqueeze(1) + Areas(t).unsqueeze(0) - inter).clamp_min(1e-12))
            .contiguous();
    const auto iou_of = iou.accessor<float, 2>();
    const at::Tensor box_labels = labels.to(at::kLong).contiguous();
    const at::Tensor gt_labels = truth_labels.to(at::kLong).contiguous();
    const auto label_of = box_labels.accessor<int64_t, 1>();
    const auto gt_label_of = gt_labels.accessor<int64_t, 1>();
    std::vector<bool> taken(static_cast<size_t>(m), false);
    for (int64_t i = 0; i < n; ++i) {
      int64_t best = -1;
      double best_iou = kMatchIou;
      for (int64_t j = 0; j < m; ++j) {
        if (taken[static_cast<size_t>(j)] || gt_label_of[j] != label_of[i]) continue;
        if (iou_of[i][j] >= best_iou) {
          best_iou = iou_of[i][j];
          best = j;
        }
      }
      if (best >= 0) {
        taken[static_cast<size_t>(best)] = true;
        matches[static_cast<size_t>(i)] = Match::kTrue;
      }
    }
  }
  if (ignore_boxes.defined() && ignore_boxes.size(0) > 0) {
    const at::Tensor covered =
        (Intersections(b, ignore_boxes.to(at::kFloat)) / Areas(b).clamp_min(1e-12).unsqueeze(1))
            .amax(1)
            .contiguous();
    const auto cover_of = covered.accessor<float, 1>();
    for (int64_t i = 0; i < n; ++i) {
      if (matches[static_cast<size_t>(i)] == Match::kFalse && cover_of[i] >= kIgnoreCover) {
        matches[static_cast<size_t>(i)] = Match::kIgnored;
      }
    }
  }
  return matches;
}

// floor(value * steps), clamped to [0, steps]: the highest curve threshold a score reaches.
int64_t CurveStep(double value) {
  return std::clamp<int64_t>(
      static_cast<int64_t>(std::floor(value * PseudoLabelQuality::kCurveSteps)), 0,
      PseudoLabelQuality::kCurveSteps);
}

double Threshold(int64_t k) {
  return static_cast<double>(k) / static_cast<double>(PseudoLabelQuality::kCurveSteps);
}

std::string ClassName(const std::vector<std::string>& names, int64_t c) {
  return c < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(c)]
                                                : absl::StrCat("class ", c);
}

// Per class of a [C * C] confusion (truth-major): pixels of the class in the truth
// (row), in the labels (column), and in both (diagonal).
struct ClassTotals {
  std::vector<int64_t> row, column, diagonal;
};

ClassTotals TotalsOf(const std::vector<int64_t>& confusion, int64_t num_classes) {
  const size_t n = static_cast<size_t>(num_classes);
  ClassTotals totals{std::vector<int64_t>(n, 0), std::vector<int64_t>(n, 0),
                     std::vector<int64_t>(n, 0)};
  for (size_t c = 0; c < n; ++c) {
    for (size_t d = 0; d < n; ++d) {
      totals.row[c] += confusion[c * n + d];
      totals.column[d] += confusion[c * n + d];
    }
    totals.diagonal[c] = confusion[c * n + c];
  }
  return totals;
}

}  // namespace

PseudoLabelQuality::PseudoLabelQuality(Task task, int64_t num_classes)
    : task_(task), num_classes_(num_classes) {
  const size_t classes = static_cast<size_t>(num_classes);
  const size_t steps = static_cast<size_t>(kCurveSteps);
  if (task_ == Task::kDetection) {
    truth_boxes_.assign(classes, 0);
    kept_boxes_.assign(classes, 0);
    kept_true_.assign(classes, 0);
    curve_boxes_.assign(steps, 0);
    curve_true_.assign(steps, 0);
  } else {
    confusion_.assign(classes * classes, 0);
    truth_pixels_.assign(classes, 0);
    curve_pixels_.assign(steps, 0);
    curve_correct_.assign(steps, 0);
  }
}

bool PseudoLabelQuality::HasGroundTruth(const Sample& image) const {
  if (task_ == Task::kDetection) return image.boxes.defined() && image.labels.defined();
  return image.mask.defined();
}

void PseudoLabelQuality::Add(const Sample& truth, const Prediction& teacher, const Sample* kept) {
  ++images_;
  if (task_ == Task::kDetection) {
    AddDetection(truth, teacher.detections, kept);
  } else {
    AddSegmentation(truth, teacher.class_probs, kept);
  }
}

void PseudoLabelQuality::AddDetection(const Sample& truth, const Detections& teacher,
                                      const Sample* kept) {
  const at::Tensor truth_labels = truth.labels.to(at::kLong).contiguous();
  const auto truth_label_of = truth_labels.accessor<int64_t, 1>();
  for (int64_t j = 0; j < truth_labels.size(0); ++j) {
    if (truth_label_of[j] >= 0 && truth_label_of[j] < num_classes_) {
      ++truth_boxes_[static_cast<size_t>(truth_label_of[j])];
    }
  }
  if (teacher.boxes.defined() && teacher.boxes.size(0) > 0) {
    const std::vector<Match> matches = MatchBoxes(teacher.boxes, teacher.labels, truth.boxes,
                                                  truth.labels, truth.ignore_boxes);
    const at::Tensor scores = teacher.scores.to(at::kDouble).contiguous();
    const auto score_of = scores.accessor<double, 1>();
    for (size_t i = 0; i < matches.size(); ++i) {
      if (matches[i] == Match::kIgnored) continue;
      // Slot s counts threshold k = s + 1: a box reaching step k is in slots [0, k).
      const int64_t reached =
          std::min<int64_t>(CurveStep(score_of[static_cast<int64_t>(i)]), kCurveSteps - 1);
      for (int64_t s = 0; s < reached; ++s) {
        ++curve_boxes_[static_cast<size_t>(s)];
        if (matches[i] == Match::kTrue) ++curve_true_[static_cast<size_t>(s)];
      }
    }
  }
  if (kept == nullptr || !kept->boxes.defined() || kept->boxes.size(0) == 0) return;
  const std::vector<Match> matches =
      MatchBoxes(kept->boxes, kept->labels, truth.boxes, truth.labels, truth.ignore_boxes);
  const at::Tensor kept_labels = kept->labels.to(at::kLong).contiguous();
  const auto kept_label_of = kept_labels.accessor<int64_t, 1>();
  for (size_t i = 0; i < matches.size(); ++i) {
    const int64_t c = kept_label_of[static_cast<int64_t>(i)];
    if (matches[i] == Match::kIgnored || c < 0 || c >= num_classes_) continue;
    ++kept_boxes_[static_cast<size_t>(c)];
    if (matches[i] == Match::kTrue) ++kept_true_[static_cast<size_t>(c)];
  }
}

void PseudoLabelQuality::AddSegmentation(const Sample& truth, const at::Tensor& probs,
                                         const Sample* kept) {
  const at::Tensor gt = truth.mask.to(at::kLong);
  const at::Tensor valid = gt < num_classes_;
  const at::Tensor gt_valid = gt.masked_select(valid);
  const at::Tensor per_class = at::bincount(gt_valid, {}, num_classes_);
  for (int64_t c = 0; c < num_classes_; ++c) {
    truth_pixels_[static_cast<size_t>(c)] += per_class[c].item<int64_t>();
  }
  if (kept != nullptr && kept->mask.defined() && kept->mask.sizes() == truth.mask.sizes()) {
    const at::Tensor label = kept->mask.to(at::kLong);
    const at::Tensor labeled = valid & (label < num_classes_);
    const at::Tensor cells = gt.masked_select(labeled) * num_classes_ + label.masked_select(labeled);
    const at::Tensor counts = at::bincount(cells, {}, num_classes_ * num_classes_).contiguous();
    const int64_t* count = counts.data_ptr<int64_t>();
    for (size_t i = 0; i < confusion_.size(); ++i) confusion_[i] += count[i];
  }
  if (!probs.defined() || probs.dim() != 3 || probs.size(0) != num_classes_) return;
  at::Tensor p = probs.to(at::kFloat);
  if (p.size(1) != gt.size(0) || p.size(2) != gt.size(1)) {
    p = at::upsample_bilinear2d(p.unsqueeze(0), {gt.size(0), gt.size(1)}, false).squeeze(0);
  }
  const auto [top, arg] = p.max(0);
  const at::Tensor steps =
      (top.to(at::kDouble) * kCurveSteps).floor().clamp(0, kCurveSteps).to(at::kLong);
  const at::Tensor step_valid = steps.masked_select(valid);
  const at::Tensor step_correct = steps.masked_select(valid & (arg == gt));
  const at::Tensor all = at::bincount(step_valid, {}, kCurveSteps + 1);
  const at::Tensor correct = at::bincount(step_correct, {}, kCurveSteps + 1);
  // Slot s counts threshold k = s + 1: every pixel at step >= k.
  int64_t above = 0;
  int64_t above_correct = 0;
  for (int64_t k = kCurveSteps; k >= 1; --k) {
    above += all[k].item<int64_t>();
    above_correct += correct[k].item<int64_t>();
    if (k < kCurveSteps) {
      curve_pixels_[static_cast<size_t>(k - 1)] += above;
      curve_correct_[static_cast<size_t>(k - 1)] += above_correct;
    }
  }
}

Metrics PseudoLabelQuality::Headline() const {
  Metrics metrics;
  auto put = [&metrics](const std::string& name, double value) {
    if (std::isfinite(value)) metrics["pseudo/" + name] = value;
  };
  if (task_ == Task::kDetection) {
    put("precision", Ratio(Sum(kept_true_), Sum(kept_boxes_)));
    put("recall", Ratio(Sum(kept_true_), Sum(truth_boxes_)));
    return metrics;
  }
  const ClassTotals totals = TotalsOf(confusion_, num_classes_);
  double iou_sum = 0.0;
  int64_t iou_classes = 0;
  for (size_t c = 0; c < totals.row.size(); ++c) {
    const int64_t united = totals.row[c] + totals.column[c] - totals.diagonal[c];
    if (united > 0) {
      iou_sum += Ratio(totals.diagonal[c], united);
      ++iou_classes;
    }
  }
  const int64_t kept = Sum(totals.row);
  const int64_t correct = Sum(totals.diagonal);
  put("pixel_accuracy", Ratio(correct, kept));
  put("miou", iou_classes > 0 ? iou_sum / static_cast<double>(iou_classes) : kNaN);
  put("kept_fraction", Ratio(kept, Sum(truth_pixels_)));
  return metrics;
}

std::string PseudoLabelQuality::Json(const std::vector<std::string>& class_names) const {
  const Metrics headline = Headline();
  auto figure = [&headline](const std::string& name) {
    const auto it = headline.find("pseudo/" + name);
    return JsonNumber(it == headline.end() ? kNaN : it->second);
  };
  std::vector<std::string> classes;
  std::vector<std::string> curve;
  if (task_ == Task::kDetection) {
    for (int64_t c = 0; c < num_classes_; ++c) {
      const size_t i = static_cast<size_t>(c);
      classes.push_back(absl::StrCat(
          JsonString(ClassName(class_names, c)), ": {\"ground_truth\": ", truth_boxes_[i],
          ", \"kept\": ", kept_boxes_[i], ", \"true_positives\": ", kept_true_[i],
          ", \"precision\": ", JsonNumber(Ratio(kept_true_[i], kept_boxes_[i])),
          ", \"recall\": ", JsonNumber(Ratio(kept_true_[i], truth_boxes_[i])), "}"));
    }
    const int64_t truth = Sum(truth_boxes_);
    for (int64_t k = 1; k < kCurveSteps; ++k) {
      const size_t s = static_cast<size_t>(k - 1);
      curve.push_back(absl::StrCat(
          "{\"threshold\": ", JsonNumber(Threshold(k)),
          ", \"precision\": ", JsonNumber(Ratio(curve_true_[s], curve_boxes_[s])),
          ", \"recall\": ", JsonNumber(Ratio(curve_true_[s], truth)),
          ", \"boxes_per_image\": ", JsonNumber(Ratio(curve_boxes_[s], images_)), "}"));
    }
    return absl::StrCat(
        "{\"images\": ", images_, ", \"iou_threshold\": ", JsonNumber(kMatchIou),
        ", \"ground_truth_boxes\": ", truth, ", \"kept_boxes\": ", Sum(kept_boxes_),
        ", \"true_positives\": ", Sum(kept_true_), ", \"precision\": ", figure("precision"),
        ", \"recall\": ", figure("recall"), ", \"per_class\": {", absl::StrJoin(classes, ", "),
        "}, \"pr_curve\": [", absl::StrJoin(curve, ", "), "]}");
  }
  const ClassTotals totals = TotalsOf(confusion_, num_classes_);
  for (int64_t c = 0; c < num_classes_; ++c) {
    const size_t i = static_cast<size_t>(c);
    classes.push_back(absl::StrCat(
        JsonString(ClassName(class_names, c)), ": {\"pixels\": ", truth_pixels_[i],
        ", \"coverage\": ", JsonNumber(Ratio(totals.row[i], truth_pixels_[i])), ", \"iou\": ",
        JsonNumber(Ratio(totals.diagonal[i], totals.row[i] + totals.column[i] - totals.diagonal[i])),
        "}"));
  }
  const int64_t pixels = Sum(truth_pixels_);
  for (int64_t k = 1; k < kCurveSteps; ++k) {
    const size_t s = static_cast<size_t>(k - 1);
    curve.push_back(absl::StrCat(
        "{\"threshold\": ", JsonNumber(Threshold(k)),
        ", \"kept_fraction\": ", JsonNumber(Ratio(curve_pixels_[s], pixels)),
        ", \"pixel_accuracy\": ", JsonNumber(Ratio(curve_correct_[s], curve_pixels_[s])), "}"));
  }
  return absl::StrCat("{\"images\": ", images_, ", \"pixels\": ", pixels, ", \"kept_pixels\": ", Sum(totals.row),
                      ", \"kept_fraction\": ", figure("kept_fraction"),
                      ", \"pixel_accuracy\": ", figure("pixel_accuracy"), ", \"miou\": ", figure("miou"),
                      ", \"per_class\": {", absl::StrJoin(classes, ", "), "}, \"threshold_curve\": [",
                      absl::StrJoin(curve, ", "), "]}");
}

}  // namespace stlab
