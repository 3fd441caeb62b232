// The `segmentation_folder` dataset: a folder of images and a folder of label maps
// (8-bit grey PNGs of class values) matched by key, with a class list and an
// ignore_index. The layout of CamVid (train/ + trainannot/, ignore 11), Cityscapes
// train IDs (leftImg8bit/train + gtFine/train, suffixes "_leftImg8bit.png" and
// "_gtFine_labelTrainIds.png", ignore 255) and ADE20K (images/training +
// annotations/training, ignore 0).
//
// A file's key is its path relative to its folder (sub-folders are searched, with
// '/' between folders) without its suffix: `label_suffix` (".png") for label maps;
// `image_suffix` for images, or, when that is empty, the extension .jpg, .jpeg or
// .png (any case). Samples are the keys of `split_file` in its order (the first word
// of each non-empty line), or without one every label map's key, ordered byte by
// byte. Sample i: image [H, W, 3] RGB; mask [H, W] uint8, the label map's stored
// values through LabelValues (class k, kIgnoreLabel for ignore_index; see
// label_map.h); image_id = i; source = the image path; boxes [0, 4], labels [0],
// ignore_boxes [0, 4]. DatasetInfo: class_names and mask_class_names the classes,
// category_ids the classes' stored values, has_masks.
//
// Construction fails, naming the file or folder, on: a missing folder, split file or
// class file; an empty label_suffix; two images with one key; without a split file,
// a label map without an image or an image without a label map; a split key without
// image or label map; no samples. Get(index) fails, naming the file, on a missing or
// undecodable image or label map, a label map that is not 8-bit 1-channel, of
// another size than its image, or with a value that is neither a class nor
// ignore_index.
#ifndef STLAB_PLUGINS_DATASETS_SEGMENTATION_FOLDER_H_
#define STLAB_PLUGINS_DATASETS_SEGMENTATION_FOLDER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "plugins/datasets/label_map.h"
#include "registry/param.h"

namespace stlab::datasets {

struct SegmentationFolderOptions {
  std::filesystem::path images;      ///< Folder of the images.
  std::filesystem::path labels;      ///< Folder of the label maps.
  std::vector<std::string> classes;  ///< Class k is stored as LabelValues::StoredValue(k).
  int64_t ignore_index = 255;        ///< The stored value of unlabeled pixels.
  std::filesystem::path split_file;  ///< Keys, one per line; empty: every label map.
  std::string image_suffix;          ///< Empty: .jpg, .jpeg or .png.
  std::string label_suffix = ".png";
};

/// Parameter declarations of dataset "segmentation_folder".
ParamSpecs SegmentationFolderParams();
/// Options from validated parameters; relative paths are taken relative to
/// `base_dir`. Fails on a bad class list (see ClassListFromParams).
absl::StatusOr<SegmentationFolderOptions> SegmentationFolderOptionsFromParams(
    const Params& params, const std::filesystem::path& base_dir);

class SegmentationFolderDataset : public Dataset {
 public:
  /// Lists and matches the files (see the file comment); reads no image.
  static absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> Create(
      SegmentationFolderOptions options);

  int64_t Size() const override { return static_cast<int64_t>(files_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

 private:
  struct Files {
    std::filesystem::path image;
    std::filesystem::path label;
  };

  explicit SegmentationFolderDataset(LabelValues values) : values_(std::move(values)) {}

  LabelValues values_;
  std::vector<Files> files_;
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_SEGMENTATION_FOLDER_H_
