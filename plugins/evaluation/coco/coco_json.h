// COCO file formats for bbox evaluation: reading instances (ground truth) and
// results (detections) JSON, plain or gzip-compressed; writing results and
// stats; and pycocotools' summary text.
#ifndef STLAB_PLUGINS_EVALUATION_COCO_COCO_JSON_H_
#define STLAB_PLUGINS_EVALUATION_COCO_COCO_JSON_H_

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/evaluation/coco/coco_eval.h"

namespace stlab::coco {

/// Loads a COCO instances file. gzip is recognised by its magic bytes, not by
/// the file name. Reads "images", "categories" and "annotations"; other keys,
/// "segmentation" among them, are skipped (checked for balanced brackets only).
/// Required per entry: images `id`; categories `id`; annotations `id`,
/// `image_id`, `category_id`, `bbox`, `area`, `iscrowd` (pycocotools needs them
/// all). Errors are InvalidArgument (NotFound etc. for I/O) and name the file
/// and entry, e.g. "gt.json: annotations[12].bbox: expected 4 numbers
/// [x, y, width, height]".
absl::StatusOr<GroundTruth> LoadGroundTruth(const std::filesystem::path& path);

/// Loads a COCO results file: a JSON list of {image_id, category_id, bbox,
/// score} (other keys skipped), plain or gzip. Like pycocotools' loadRes, fails
/// when a detection's image is not in `ground_truth`.
absl::StatusOr<std::vector<Detection>> LoadDetections(const std::filesystem::path& path,
                                                      const GroundTruth& ground_truth);

/// Writes `detections` as a COCO results file. Atomic: the file is written
/// under a temporary name in the same directory, then renamed over `path`.
absl::Status WriteDetections(const std::filesystem::path& path,
                             std::span<const Detection> detections);

/// Writes the 12 stats as a JSON object {"AP": ..., "AP50": ..., ..., "ARl": ...}
/// in kStatSpecs order, numbers in shortest round-trip form; atomic as above.
absl::Status WriteStats(const std::filesystem::path& path, const Stats& stats);

/// The 12 lines pycocotools' summarize() prints, character for character, each
/// ending in '\n'.
std::string FormatSummary(const Stats& stats);

}  // namespace stlab::coco

#endif  // STLAB_PLUGINS_EVALUATION_COCO_COCO_JSON_H_
