// COCO bounding-box evaluation: an exact, torch-free re-implementation of
// pycocotools' COCOeval (iouType='bbox', default parameters), i.e. evaluate() +
// accumulate() + summarize(), producing the same numbers bit for bit.
#ifndef STLAB_PLUGINS_EVALUATION_COCO_COCO_EVAL_H_
#define STLAB_PLUGINS_EVALUATION_COCO_COCO_EVAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace stlab::coco {

/// Axis-aligned box in pixels, COCO's "bbox": top-left corner and size.
struct Box {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

/// One entry of a COCO dataset's "images". Only `id` matters for evaluation.
struct Image {
  int64_t id = 0;
  int64_t width = 0;   // 0 when the file does not say.
  int64_t height = 0;  // 0 when the file does not say.
  std::string file_name;
};

/// One entry of a COCO dataset's "categories".
struct Category {
  int64_t id = 0;
  std::string name;
};

/// One ground-truth object (an entry of a COCO dataset's "annotations").
struct Annotation {
  /// Annotation id. NOTE: as in pycocotools, a match to an annotation with id 0
  /// is recorded as "no match" (the id doubles as the match flag there).
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  Box bbox;
  /// The dataset's "area" (the mask area for COCO, not width * height); it
  /// decides the small/medium/large bucket.
  double area = 0;
  /// Crowd regions never count as misses, and detections inside them are ignored.
  bool iscrowd = false;
  /// COCO's optional "ignore" flag, kept as loaded. pycocotools' bbox evaluation
  /// overwrites it with `iscrowd`, so this evaluator does not read it either.
  bool ignore = false;
};

/// A COCO instances dataset, reduced to what bbox evaluation needs.
struct GroundTruth {
  std::vector<Image> images;
  std::vector<Category> categories;
  std::vector<Annotation> annotations;
};

/// One detection, an entry of a COCO results file.
struct Detection {
  int64_t image_id = 0;
  int64_t category_id = 0;
  Box bbox;
  double score = 0;
};

namespace internal {

/// numpy.linspace(start, stop, N) with numpy's rounding (i * step + start, the
/// last value set to `stop`), so that thresholds equal pycocotools' bit for bit.
template <size_t N>
constexpr std::array<double, N> LinSpace(double start, double stop) {
  std::array<double, N> values{};
  const double step = (stop - start) / static_cast<double>(N - 1);
  for (size_t i = 0; i < N; ++i) values[i] = static_cast<double>(i) * step + start;
  values[N - 1] = stop;
  return values;
}

}  // namespace internal

inline constexpr int kNumIouThresholds = 10;
inline constexpr int kNumRecallThresholds = 101;
inline constexpr int kNumAreaRanges = 4;
inline constexpr int kNumMaxDets = 3;
inline constexpr int kNumStats = 12;

/// IoU thresholds .50:.05:.95 (pycocotools' params.iouThrs).
inline constexpr std::array<double, kNumIouThresholds> kIouThresholds =
    internal::LinSpace<kNumIouThresholds>(0.5, 0.95);
/// Recall thresholds 0:.01:1 (pycocotools' params.recThrs).
inline constexpr std::array<double, kNumRecallThresholds> kRecallThresholds =
    internal::LinSpace<kNumRecallThresholds>(0.0, 1.0);
/// Inclusive [min, max] object areas: all, small, medium, large.
inline constexpr std::array<std::array<double, 2>, kNumAreaRanges> kAreaRanges = {
    {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}}};
inline constexpr std::array<std::string_view, kNumAreaRanges> kAreaRangeLabels = {
    "all", "small", "medium", "large"};
/// Detections kept per image and category, ascending; the last one bounds matching.
inline constexpr std::array<int, kNumMaxDets> kMaxDets = {1, 10, 100};

/// Definition of one summary number (one line of pycocotools' summarize()).
struct StatSpec {
  std::string_view name;  // "AP", "AP50", ..., "ARl".
  bool is_precision;      // Average precision (true) or average recall (false).
  int iou_index;          // Index into kIouThresholds, or -1: mean over all of them.
  int area_index;         // Index into kAreaRanges.
  int max_dets_index;     // Index into kMaxDets.
};

/// The 12 summary numbers, in pycocotools' order (stats[0] .. stats[11]).
inline constexpr std::array<StatSpec, kNumStats> kStatSpecs = {{
    {"AP", true, -1, 0, 2},
    {"AP50", true, 0, 0, 2},
    {"AP75", true, 5, 0, 2},
    {"APs", true, -1, 1, 2},
    {"APm", true, -1, 2, 2},
    {"APl", true, -1, 3, 2},
    {"AR1", false, -1, 0, 0},
    {"AR10", false, -1, 0, 1},
    {"AR100", false, -1, 0, 2},
    {"ARs", false, -1, 1, 2},
    {"ARm", false, -1, 2, 2},
    {"ARl", false, -1, 3, 2},
}};

/// The 12 summary numbers; -1 where no ground truth counts (as pycocotools).
using Stats = std::array<double, kNumStats>;

/// Knobs that do not change the numbers.
struct EvalOptions {
  /// Also return the full precision and recall arrays.
  bool keep_arrays = false;
  /// Worker threads; categories are split among them. Results do not depend on it.
  int num_threads = 1;
};

/// Everything one evaluation produces.
struct EvalResult {
  /// pycocotools' COCOeval.stats.
  Stats stats{};
  /// Category ids of the ground truth, ascending (pycocotools' params.catIds).
  std::vector<int64_t> category_ids;
  /// The same 12 formulas restricted to one category; parallel to category_ids.
  std::vector<Stats> per_category_stats;
  /// eval['precision'], row-major [T][R][K][A][M] (T IoU thresholds, R recall
  /// thresholds, K categories, A area ranges, M max-dets); -1 where no ground
  /// truth counts. Empty unless EvalOptions::keep_arrays.
  std::vector<double> precision;
  /// eval['recall'], row-major [T][K][A][M]. Empty unless EvalOptions::keep_arrays.
  std::vector<double> recall;
};

namespace internal {
struct GroundTruthIndex;
}  // namespace internal

/// Evaluates detection sets against one ground truth. Indexing the ground truth
/// is done once, so evaluating many sets (say, one per epoch) is cheap.
/// Immutable after Create(): Evaluate() may be called from several threads.
class CocoEvaluator {
 public:
  /// Indexes `ground_truth`. Fails on duplicate image or category ids, an
  /// annotation on an unknown image, and non-finite or negative-size boxes or
  /// areas. Annotations of categories not in `categories` are dropped, as
  /// pycocotools does.
  static absl::StatusOr<CocoEvaluator> Create(const GroundTruth& ground_truth);

  /// Runs evaluate() + accumulate() + summarize(). Fails when a detection refers
  /// to an image not in the ground truth (pycocotools asserts) or has a
  /// non-finite score or box or a negative size. Detections of categories not in
  /// the ground truth are ignored. Ties in score keep the order of `detections`.
  absl::StatusOr<EvalResult> Evaluate(std::span<const Detection> detections,
                                      const EvalOptions& options = {}) const;

  /// Category ids, ascending: the K axis of the results.
  const std::vector<int64_t>& category_ids() const;

 private:
  explicit CocoEvaluator(std::shared_ptr<const internal::GroundTruthIndex> index);

  std::shared_ptr<const internal::GroundTruthIndex> index_;
};

/// One-shot CocoEvaluator::Create() + Evaluate().
absl::StatusOr<EvalResult> Evaluate(const GroundTruth& ground_truth,
                                    std::span<const Detection> detections,
                                    const EvalOptions& options = {});

}  // namespace stlab::coco

#endif  // STLAB_PLUGINS_EVALUATION_COCO_COCO_EVAL_H_
