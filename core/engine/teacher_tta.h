// Test-time views: the size every image is predicted at ([eval] resize, for
// evaluation and pseudo-labeling alike), and the teacher's test-time augmentation
// (it sees each unlabeled image at several scales, mirrored and not). Predictions on
// a view are mapped back onto the original image (and the views merged) before an
// evaluator or a pseudo-labeler sees them.
#ifndef STLAB_CORE_ENGINE_TEACHER_TTA_H_
#define STLAB_CORE_ENGINE_TEACHER_TTA_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ATen/core/Tensor.h"
#include "core/engine/task_model.h"
#include "core/export.h"
#include "core/sample.h"
#include "registry/param.h"

namespace stlab {

/// `[eval] resize`: every image is predicted with one side scaled to `size` (the
/// aspect ratio kept) and its predictions mapped back to the image's own size:
/// boxes scaled, class probabilities resized before mIoU. The paper's setting is a
/// longest side of 640 or 1024 px.
struct TestTimeResize {
  enum class Side { kNone, kLongest, kShortest };
  Side side = Side::kNone;
  int64_t size = 0;          ///< The length of that side after resizing.
  /// Inputs are also padded to a multiple of this (0: the model's divisor alone).
  int64_t size_divisor = 0;

  bool Enabled() const { return side != Side::kNone || size_divisor > 0; }
  /// The scale factor for an image of `height` x `width` (1 without a resize).
  STLAB_API double ScaleFor(int64_t height, int64_t width) const;
  /// "none", "longest side 640", "shortest side 512, size divisor 128".
  STLAB_API std::string Describe() const;
};

/// Reads resize, resize_to and size_divisor from a validated [eval] section; a
/// resize without resize_to is an error naming eval.resize_to.
STLAB_API absl::StatusOr<TestTimeResize> TestTimeResizeFrom(const Params& eval);

/// Which views the teacher predicts on and how detections are merged. The default
/// is a single view, the image as it is: no test-time augmentation.
struct TeacherTtaOptions {
  /// Also run the teacher on the horizontally mirrored image (at every scale).
  bool flip = false;
  /// Scale factors of the views, each > 0; 1 is the image at its own size.
  std::vector<double> scales = {1.0};
  /// Detection: a box whose IoU with a higher-scored box of the same class is above
  /// this is dropped when the views' boxes are merged.
  double nms_iou = 0.5;
  /// Detection: most boxes kept per image after merging; 0 = as many as the view
  /// with the most boxes produced for that image.
  int64_t max_detections = 0;

  /// False for the plain single view (no flip, scales {1}).
  STLAB_API bool Enabled() const;
  /// "none", or e.g. "flip, scales 0.5,1,1.5, nms_iou 0.5, max_detections 0"; for
  /// provenance and for telling pseudo-labeling stages apart.
  STLAB_API std::string Describe() const;
};

/// Reads teacher_flip, teacher_scales, teacher_tta_nms_iou and
/// teacher_tta_max_detections from a validated [self_training] section. An empty
/// scale list is an error naming self_training.teacher_scales.
STLAB_API absl::StatusOr<TeacherTtaOptions> TeacherTtaOptionsFrom(const Params& self_training);

/// Predictions of `teacher` (in eval mode, as the caller set it) for `images` (each
/// image [H, W, 3] uint8), in each original image's coordinates, as
/// TaskModel::Predict returns them. Without TTA and resize this is exactly Collate +
/// Predict. Each view of an image is the image at resize.ScaleFor(image) times the
/// view's scale; every view runs as one batch of all images; segmentation gets the
/// mean of the views' class probabilities, detection the views' boxes merged by
/// MergeDetections (a single view's boxes are only mapped back). Detection merging
/// needs the stlab::batched_nms op of the detection plugin.
STLAB_API absl::StatusOr<std::vector<Prediction>> PredictWithTta(
    TaskModel& teacher, const std::vector<Sample>& images, const TeacherTtaOptions& options,
    const TestTimeResize& resize = {});

/// The view of `image` ([H, W, 3] uint8) at `scale`: resized bilinearly to
/// max(1, round(H * scale)) x max(1, round(W * scale)) (not resized at scale 1),
/// then mirrored left-right when `flip`.
STLAB_API at::Tensor ViewOf(const at::Tensor& image, double scale, bool flip);

/// Boxes [K, 4] (x1, y1, x2, y2) predicted on a view of size `view_size` {h, w},
/// mapped onto the original image of size `original_size` {H, W}: un-mirrored when
/// `flipped` (x1' = w - x2, x2' = w - x1), then each axis divided by its scale
/// factor (view size / original size).
STLAB_API at::Tensor BoxesToOriginal(const at::Tensor& boxes, std::array<int64_t, 2> view_size,
                                     std::array<int64_t, 2> original_size, bool flipped);

/// Class probabilities [C, h, w] of a view, un-mirrored when `flipped` and resized
/// bilinearly to `original_size` {H, W} (returned as they are when nothing changes).
STLAB_API at::Tensor ClassProbsToOriginal(const at::Tensor& class_probs,
                                          std::array<int64_t, 2> original_size, bool flipped);

/// The union of `views` (detections of one image, already in its coordinates)
/// after class-aware NMS at `iou` (boxes of different classes never suppress each
/// other), sorted by descending score and cut to `max_detections` (0 = the largest
/// view's count). Needs the stlab::batched_nms op (FailedPrecondition when not
/// registered).
STLAB_API absl::StatusOr<Detections> MergeDetections(const std::vector<Detections>& views,
                                                     double iou, int64_t max_detections);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_TEACHER_TTA_H_
