// Conversion of samples and predictions to COCO records.
#include "plugins/evaluation/coco_bbox_evaluator.h"

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"

namespace stlab::evaluation {
namespace {

// [K, 4] (x1, y1, x2, y2) -> COCO (x, y, width, height), as doubles.
std::vector<coco::Box> ToCocoBoxes(const at::Tensor& boxes) {
  std::vector<coco::Box> out;
  if (!boxes.defined() || boxes.numel() == 0) return out;
  const at::Tensor b = boxes.to(at::kDouble).contiguous();
  const double* p = b.data_ptr<double>();
  for (int64_t i = 0; i < b.size(0); ++i, p += 4) {
    out.push_back({p[0], p[1], p[2] - p[0], p[3] - p[1]});
  }
  return out;
}

absl::StatusOr<int64_t> CategoryOf(int64_t label, const std::vector<int64_t>& ids,
                                   const std::string& source) {
  if (label < 0 || label >= static_cast<int64_t>(ids.size())) {
    return absl::InvalidArgumentError(absl::StrCat("coco_bbox: ", source, ": class index ", label,
                                                   " is outside [0, ", ids.size(), ")"));
  }
  return ids[label];
}

}  // namespace

CocoBboxEvaluator::CocoBboxEvaluator(const DatasetInfo& info) : category_ids_(info.category_ids) {
  for (size_t k = 0; k < category_ids_.size(); ++k) {
    ground_truth_.categories.push_back({category_ids_[k], info.class_names[k]});
  }
}

absl::Status CocoBboxEvaluator::Add(const Sample& gt, const Prediction& prediction) {
  const int64_t image_id = gt.image_id;
  if (!image_ids_.insert(image_id).second) {
    return absl::InvalidArgumentError(
        absl::StrCat("coco_bbox: ", gt.source, ": image id ", image_id, " was added twice"));
  }
  ground_truth_.images.push_back(
      {image_id, gt.image.defined() ? gt.image.size(1) : 0, gt.image.defined() ? gt.image.size(0) : 0,
       gt.source});
  auto add_annotations = [&](const at::Tensor& boxes, const at::Tensor* labels,
                             bool crowd) -> absl::Status {
    const std::vector<coco::Box> coco_boxes = ToCocoBoxes(boxes);
    const at::Tensor label_values = labels ? labels->to(at::kLong).contiguous() : at::Tensor();
    for (size_t i = 0; i < coco_boxes.size(); ++i) {
      coco::Annotation a;
      a.id = static_cast<int64_t>(ground_truth_.annotations.size()) + 1;  // 0 never matches.
      a.image_id = image_id;
      a.bbox = coco_boxes[i];
      a.area = coco_boxes[i].width * coco_boxes[i].height;
      a.iscrowd = crowd;
      if (crowd) {
        // A crowd region ignores detections of every class: one per category.
        for (int64_t id : category_ids_) {
          a.category_id = id;
          ground_truth_.annotations.push_back(a);
          a.id = static_cast<int64_t>(ground_truth_.annotations.size()) + 1;
        }
        continue;
      }
      const int64_t label = label_values.data_ptr<int64_t>()[i];
      absl::StatusOr<int64_t> category = CategoryOf(label, category_ids_, gt.source);
      if (!category.ok()) return category.status();
      a.category_id = *category;
      ground_truth_.annotations.push_back(a);
    }
    return absl::OkStatus();
  };
  if (gt.boxes.defined() && gt.boxes.numel() > 0) {
    if (!gt.labels.defined() || gt.labels.numel() != gt.boxes.size(0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("coco_bbox: ", gt.source, ": boxes and labels differ in count"));
    }
    if (absl::Status s = add_annotations(gt.boxes, &gt.labels, false); !s.ok()) return s;
  }
  if (absl::Status s = add_annotations(gt.ignore_boxes, nullptr, true); !s.ok()) return s;

  const Detections& d = prediction.detections;
  const std::vector<coco::Box> boxes = ToCocoBoxes(d.boxes);
  if (boxes.empty()) return absl::OkStatus();
  if (!d.scores.defined() || !d.labels.defined() ||
      d.scores.numel() != static_cast<int64_t>(boxes.size()) ||
      d.labels.numel() != static_cast<int64_t>(boxes.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "coco_bbox: ", gt.source, ": detections need as many scores and labels as boxes"));
  }
  const at::Tensor scores = d.scores.to(at::kDouble).contiguous();
  const at::Tensor labels = d.labels.to(at::kLong).contiguous();
  for (size_t i = 0; i < boxes.size(); ++i) {
    absl::StatusOr<int64_t> category =
        CategoryOf(labels.data_ptr<int64_t>()[i], category_ids_, gt.source);
    if (!category.ok()) return category.status();
    detections_.push_back({image_id, *category, boxes[i], scores.data_ptr<double>()[i]});
  }
  return absl::OkStatus();
}

absl::StatusOr<Metrics> CocoBboxEvaluator::Compute() const {
  absl::StatusOr<coco::EvalResult> result = coco::Evaluate(ground_truth_, detections_);
  if (!result.ok()) return result.status();
  Metrics metrics;
  for (size_t i = 0; i < coco::kStatSpecs.size(); ++i) {
    metrics[std::string(coco::kStatSpecs[i].name)] = result->stats[i];
  }
  return metrics;
}

}  // namespace stlab::evaluation
