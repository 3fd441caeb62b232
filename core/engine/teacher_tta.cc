// Teacher test-time augmentation: views, mapping back, merging.
#include "core/engine/teacher_tta.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "ATen/ATen.h"
#include "ATen/core/dispatch/Dispatcher.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/data/batch.h"
#include "core/status.h"

namespace stlab {
namespace {

// The per-class NMS op the detection plugin registers (plugins/detection/nms.h);
// looked up by name so that the core does not link the plugin.
constexpr char kBatchedNmsOpName[] = "stlab::batched_nms";

using BatchedNmsFn = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, double);

absl::StatusOr<c10::TypedOperatorHandle<BatchedNmsFn>> BatchedNmsOp() {
  std::optional<c10::OperatorHandle> handle =
      c10::Dispatcher::singleton().findSchema({kBatchedNmsOpName, ""});
  if (!handle.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "merging the teacher's test-time views needs the ", kBatchedNmsOpName,
        " op, which the detection plugin registers; it is not loaded"));
  }
  return handle->typed<BatchedNmsFn>();
}

int64_t Scaled(int64_t size, double scale) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(size) * scale));
}

absl::StatusOr<std::vector<Prediction>> PredictBatch(TaskModel& teacher,
                                                     std::vector<Sample> samples,
                                                     const TestTimeResize& resize = {}) {
  const int64_t divisor = resize.size_divisor > 0
                              ? std::lcm(teacher.size_divisor(), resize.size_divisor)
                              : teacher.size_divisor();
  STLAB_ASSIGN_OR_RETURN(Batch batch, Collate(std::move(samples), divisor));
  return CallAndCatch("teacher forward pass", [&]() -> absl::StatusOr<std::vector<Prediction>> {
    return teacher.Predict(batch);
  });
}

}  // namespace

double TestTimeResize::ScaleFor(int64_t height, int64_t width) const {
  if (side == Side::kNone || size <= 0) return 1.0;
  const int64_t side_length = side == Side::kLongest ? std::max(height, width)
                                                      : std::min(height, width);
  return static_cast<double>(size) / static_cast<double>(std::max<int64_t>(side_length, 1));
}

std::string TestTimeResize::Describe() const {
  std::string out = side == Side::kNone
                        ? "none"
                        : absl::StrCat(side == Side::kLongest ? "longest" : "shortest", " side ",
                                       size);
  if (size_divisor > 0) absl::StrAppend(&out, ", size divisor ", size_divisor);
  return out;
}

absl::StatusOr<TestTimeResize> TestTimeResizeFrom(const Params& eval) {
  return CallAndCatch("reading [eval] resize", [&]() -> absl::StatusOr<TestTimeResize> {
    TestTimeResize resize;
    const std::string side = eval.GetString("resize");
    if (side == "longest_side") resize.side = TestTimeResize::Side::kLongest;
    if (side == "shortest_side") resize.side = TestTimeResize::Side::kShortest;
    resize.size = eval.GetInt("resize_to");
    resize.size_divisor = eval.GetInt("size_divisor");
    if (resize.side != TestTimeResize::Side::kNone && resize.size < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "eval.resize_to: must be at least 1 with eval.resize = \"", side, "\""));
    }
    return resize;
  });
}

bool TeacherTtaOptions::Enabled() const {
  return flip || scales != std::vector<double>{1.0};
}

std::string TeacherTtaOptions::Describe() const {
  if (!Enabled()) return "none";
  return absl::StrCat(flip ? "flip, " : "", "scales ", absl::StrJoin(scales, ","), ", nms_iou ",
                      nms_iou, ", max_detections ", max_detections);
}

absl::StatusOr<TeacherTtaOptions> TeacherTtaOptionsFrom(const Params& self_training) {
  return CallAndCatch("reading the teacher's test-time augmentation",
                      [&]() -> absl::StatusOr<TeacherTtaOptions> {
    TeacherTtaOptions options;
    options.flip = self_training.GetBool("teacher_flip");
    options.scales = self_training.GetFloatList("teacher_scales");
    options.nms_iou = self_training.GetFloat("teacher_tta_nms_iou");
    options.max_detections = self_training.GetInt("teacher_tta_max_detections");
    if (options.scales.empty()) {
      return absl::InvalidArgumentError(
          "self_training.teacher_scales: must list at least one scale (1.0 = the image as it is)");
    }
    for (double scale : options.scales) {
      if (!(scale > 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("self_training.teacher_scales: every scale must be > 0, got ", scale));
      }
    }
    return options;
  });
}

at::Tensor ViewOf(const at::Tensor& image, double scale, bool flip) {
  at::Tensor view = image;
  const int64_t height = Scaled(image.size(0), scale);
  const int64_t width = Scaled(image.size(1), scale);
  if (height != image.size(0) || width != image.size(1)) {
    const at::Tensor chw = image.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
    view = at::upsample_bilinear2d(chw, {height, width}, /*align_corners=*/false)
               .squeeze(0)
               .permute({1, 2, 0})
               .round()
               .clamp(0, 255)
               .to(at::kByte);
  }
  if (flip) view = view.flip({1});
  return view.contiguous();
}

at::Tensor BoxesToOriginal(const at::Tensor& boxes, std::array<int64_t, 2> view_size,
                           std::array<int64_t, 2> original_size, bool flipped) {
  at::Tensor mapped = boxes.to(at::kFloat).clone();
  if (flipped) {
    const double width = static_cast<double>(view_size[1]);
    mapped.select(1, 0).copy_(width - boxes.select(1, 2));
    mapped.select(1, 2).copy_(width - boxes.select(1, 0));
  }
  const double sx = static_cast<double>(view_size[1]) / static_cast<double>(original_size[1]);
  const double sy = static_cast<double>(view_size[0]) / static_cast<double>(original_size[0]);
  if (sx != 1.0) {
    mapped.select(1, 0).div_(sx);
    mapped.select(1, 2).div_(sx);
  }
  if (sy != 1.0) {
    mapped.select(1, 1).div_(sy);
    mapped.select(1, 3).div_(sy);
  }
  return mapped;
}

at::Tensor ClassProbsToOriginal(const at::Tensor& class_probs,
                                std::array<int64_t, 2> original_size, bool flipped) {
  at::Tensor probs = flipped ? class_probs.flip({2}) : class_probs;
  if (probs.size(1) != original_size[0] || probs.size(2) != original_size[1]) {
    probs = at::upsample_bilinear2d(probs.unsqueeze(0), {original_size[0], original_size[1]},
                                    /*align_corners=*/false)
                .squeeze(0);
  }
  return probs.contiguous();
}

absl::StatusOr<Detections> MergeDetections(const std::vector<Detections>& views, double iou,
                                           int64_t max_detections) {
  if (views.empty()) return absl::InvalidArgumentError("no views to merge");
  int64_t largest = 0;
  std::vector<at::Tensor> boxes;
  std::vector<at::Tensor> scores;
  std::vector<at::Tensor> labels;
  for (const Detections& view : views) {
    largest = std::max(largest, view.boxes.size(0));
    boxes.push_back(view.boxes.to(at::kFloat));
    scores.push_back(view.scores.to(at::kFloat));
    labels.push_back(view.labels.to(at::kLong));
  }
  const int64_t limit = max_detections > 0 ? max_detections : largest;
  STLAB_ASSIGN_OR_RETURN(c10::TypedOperatorHandle<BatchedNmsFn> batched_nms, BatchedNmsOp());
  return CallAndCatch("merging the teacher's test-time views", [&]() -> absl::StatusOr<Detections> {
    const at::Tensor all_boxes = at::cat(boxes);
    const at::Tensor all_scores = at::cat(scores);
    const at::Tensor all_labels = at::cat(labels);
    // Kept indices by decreasing score.
    at::Tensor index = batched_nms.call(all_boxes, all_scores, all_labels, iou);
    index = index.narrow(0, 0, std::min(limit, index.size(0)));
    return Detections{all_boxes.index_select(0, index), all_scores.index_select(0, index),
                      all_labels.index_select(0, index)};
  });
}

absl::StatusOr<std::vector<Prediction>> PredictWithTta(TaskModel& teacher,
                                                       const std::vector<Sample>& images,
                                                       const TeacherTtaOptions& options,
                                                       const TestTimeResize& resize) {
  if (!options.Enabled() && !resize.Enabled()) return PredictBatch(teacher, images);
  const size_t n = images.size();
  std::vector<std::vector<Prediction>> per_image(n);  // [image][view], mapped back.
  for (double scale : options.scales) {
    for (bool flip : {false, true}) {
      if (flip && !options.flip) continue;
      std::vector<Sample> views(n);
      for (size_t i = 0; i < n; ++i) {
        views[i].image_id = images[i].image_id;
        views[i].source = images[i].source;
        const at::Tensor& image = images[i].image;
        views[i].image =
            ViewOf(image, scale * resize.ScaleFor(image.size(0), image.size(1)), flip);
      }
      std::vector<std::array<int64_t, 2>> view_sizes;
      for (const Sample& view : views) view_sizes.push_back({view.image.size(0), view.image.size(1)});
      STLAB_ASSIGN_OR_RETURN(std::vector<Prediction> predictions,
                             PredictBatch(teacher, std::move(views), resize));
      for (size_t i = 0; i < n; ++i) {
        const std::array<int64_t, 2> original = {images[i].image.size(0), images[i].image.size(1)};
        Prediction mapped;
        if (teacher.task() == Task::kDetection) {
          const Detections& d = predictions[i].detections;
          mapped.detections = {BoxesToOriginal(d.boxes, view_sizes[i], original, flip), d.scores,
                               d.labels};
        } else {
          mapped.class_probs = ClassProbsToOriginal(predictions[i].class_probs, original, flip);
        }
        per_image[i].push_back(std::move(mapped));
      }
    }
  }
  std::vector<Prediction> merged(n);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<Prediction>& views = per_image[i];
    if (views.size() == 1) {
      merged[i] = views.front();
    } else if (teacher.task() == Task::kDetection) {
      std::vector<Detections> detections;
      for (const Prediction& view : views) detections.push_back(view.detections);
      STLAB_ASSIGN_OR_RETURN(merged[i].detections,
                             MergeDetections(detections, options.nms_iou, options.max_detections));
    } else {
      at::Tensor sum = views.front().class_probs.clone();
      for (size_t v = 1; v < views.size(); ++v) sum.add_(views[v].class_probs);
      merged[i].class_probs = sum.div_(static_cast<double>(views.size()));
    }
  }
  return merged;
}

}  // namespace stlab
