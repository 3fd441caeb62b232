// The `coco` dataset: images and instance annotations in COCO's format
// (instances_*.json), e.g. COCO 2017 or any dataset exported to it.
//
// Labels of a sample (image = the JSON's "images" entry at the same index):
//   - image_id = the COCO image id; source = the image file's path;
//   - boxes [M, 4] float32 (x1, y1, x2, y2) = (x, y, x + width, y + height) of the
//     non-crowd annotations, labels [M] int64 their class index;
//   - ignore_boxes [K, 4] the boxes of the crowd (iscrowd) annotations, never boxes;
//   - mask [H, W] uint8, only with `masks`: 0 = background, class k -> k + 1, 255 =
//     crowd region not covered by a non-crowd instance (the synthetic_shapes
//     convention). Instances are painted largest `area` first, so a small object in
//     front of a large one stays visible; crowd regions are painted first.
// Class index k is the k-th entry of the JSON's "categories" (in file order):
// DatasetInfo::class_names holds their names, category_ids their COCO ids and, with
// masks, mask_class_names "background" followed by the class names.
// An image without annotations is a sample with [0, 4] boxes.
//
// Checks. Construction (the factory returns the error) fails, naming the file and
// the annotation or image id, on: a missing or unreadable file, malformed JSON or
// a wrong structure (see ReadCocoInstances), duplicate image or category ids, an
// annotation whose image or category id is not in the file, a box with negative
// width or height, a box more than 1 px outside its image or entirely outside it,
// and an RLE whose size is not its image's. Boxes within 1 px outside (float
// rounding) are clipped to the image.
// NOTE: boxes of zero width or height are skipped with a logged warning, not errors:
// COCO train2017 itself has two (annotation ids 918 and 2206849, height 0), and
// they carry no object to detect.
// Get(index) fails, naming the image file and its COCO id, on a missing, empty,
// truncated or undecodable image and on an image whose size differs from the
// width and height in the JSON.
#ifndef STLAB_PLUGINS_DATASETS_COCO_DATASET_H_
#define STLAB_PLUGINS_DATASETS_COCO_DATASET_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "plugins/datasets/coco_instances.h"
#include "registry/param.h"

namespace stlab::datasets {

struct CocoOptions {
  std::filesystem::path annotations;  ///< Instances JSON, plain or gzip.
  std::filesystem::path images;       ///< Folder that the images' file_name is relative to.
  bool masks = false;                 ///< Also build Sample::mask from the segmentations.
  /// Leave out images with no box (no annotation, or only crowd or skipped ones).
  bool skip_images_without_annotations = false;
};

/// Parameter declarations of dataset "coco".
ParamSpecs CocoParams();
/// Options from validated parameters; relative paths are taken relative to `base_dir`.
CocoOptions CocoOptionsFromParams(const Params& params, const std::filesystem::path& base_dir);

class CocoDataset : public Dataset {
 public:
  /// Reads and checks the annotations (see the file comment).
  static absl::StatusOr<std::shared_ptr<CocoDataset>> Create(CocoOptions options);

  int64_t Size() const override { return static_cast<int64_t>(images_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

 private:
  struct Instance {
    std::array<float, 4> box;  // x1, y1, x2, y2, clipped to the image.
    int64_t label = 0;
    size_t annotation = 0;  // Index in instances_.annotations.
  };
  struct Image {
    size_t entry = 0;               // Index in instances_.images.
    std::vector<Instance> objects;  // Non-crowd, in file order.
    std::vector<Instance> crowds;
  };

  CocoDataset() = default;

  CocoOptions options_;
  CocoInstances instances_;
  std::vector<Image> images_;
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_COCO_DATASET_H_
