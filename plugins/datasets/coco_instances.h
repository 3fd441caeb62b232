// Reading a COCO instances file (instances_*.json, plain or gzip) into memory for
// the `coco` dataset: images, categories and annotations with their segmentations.
// NOTE: the evaluator's reader (plugins/evaluation/coco/coco_json.h) skips
// segmentations and lives in another plugin; this one keeps them.
#ifndef STLAB_PLUGINS_DATASETS_COCO_INSTANCES_H_
#define STLAB_PLUGINS_DATASETS_COCO_INSTANCES_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/datasets/coco_mask.h"

namespace stlab::datasets {

struct CocoImageEntry {
  int64_t id = 0;
  std::string file_name;
  int64_t width = 0;
  int64_t height = 0;
};

struct CocoCategoryEntry {
  int64_t id = 0;
  std::string name;
};

/// Polygons (one or more parts) or an RLE; monostate when the annotation has no
/// segmentation or segmentations were not read.
using CocoSegmentation = std::variant<std::monostate, std::vector<CocoPolygon>, CocoRle>;

struct CocoAnnotationEntry {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  std::array<double, 4> bbox{};  ///< [x, y, width, height] in pixels, as in the file.
  double area = 0.0;
  bool iscrowd = false;
  CocoSegmentation segmentation;
};

struct CocoInstances {
  std::vector<CocoImageEntry> images;
  std::vector<CocoCategoryEntry> categories;
  std::vector<CocoAnnotationEntry> annotations;
};

/// Reads `path` (gzip recognised by its content). Required: top-level "images",
/// "categories" and "annotations" lists; images `id`, `file_name`, `width`,
/// `height`; categories `id`, `name`; annotations `id`, `image_id`,
/// `category_id`, `bbox`. `area` and `iscrowd` default to 0. Segmentations are
/// read when `read_segmentations` (polygon lists, and RLEs {"size": [h, w],
/// "counts": [...] or "..."} whose counts must cover h * w pixels), else skipped.
/// Other keys are skipped. Only the structure is checked here, not whether ids
/// refer to each other. Errors name the file and entry, e.g.
/// "a.json: annotations[12].bbox: expected 4 numbers [x, y, width, height]";
/// malformed JSON is "a.json: invalid JSON: <what simdjson found>".
absl::StatusOr<CocoInstances> ReadCocoInstances(const std::filesystem::path& path,
                                                bool read_segmentations);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_COCO_INSTANCES_H_
