// The PASCAL VOC datasets, read from the VOCdevkit layout of one year's folder
// (e.g. VOCdevkit/VOC2012): JPEGImages/<id>.jpg, Annotations/<id>.xml,
// SegmentationClass/<id>.png and the id lists ImageSets/{Main,Segmentation}/<split>.txt.
// The same layout with other classes (`classes` or `classes_file`, the 20 VOC classes
// by default) and other image files (`image_extension`) is read the same way.
//
// `voc_detection` (ids from ImageSets/Main): boxes from the XML annotations, labels
// [M] int64 indexing the classes. VOC boxes are 1-based inclusive pixel
// indices: (xmin, ymin, xmax, ymax) becomes (xmin - 1, ymin - 1, xmax, ymax).
// "difficult" objects become ignore_boxes (or boxes with keep_difficult).
// `voc_segmentation` (ids from ImageSets/Segmentation): mask [H, W] uint8 from the
// SegmentationClass PNG. With `background` (the default): 0 = background, class k ->
// k + 1; without: class k -> k. The stored values go through LabelValues with
// `ignore_index` (255, the VOC border and "void", by default; see label_map.h), so
// a pixel stored as ignore_index is kIgnoreLabel. boxes [0, 4], labels [0].
// Both: image_id = the id's position in the split file; source = the image path;
// DatasetInfo: class_names the classes, category_ids their value in the masks (k + 1
// for detection) and, for segmentation, mask_class_names "background" (with
// `background`) followed by the classes.
//
// NOTE: OpenCV 4.6 expands palette PNGs to BGR even with cv::IMREAD_UNCHANGED, so
// the class index cannot be read directly. The VOC palette (the bit-interleaving
// colour map of the devkit's labelcolormap.m) gives its 256 indices 256 distinct
// colours, so each colour is mapped back to its index; index 255 is
// (224, 224, 192), the border colour. 1-channel PNGs (e.g. the "SegmentationClassAug"
// masks) are read as indices as they are.
//
// Checks. Construction fails, naming the file, on: a missing root, split file,
// class file or XML annotation; XML that does not parse or lacks <size> or a box
// coordinate; a class name not in the class list; a box with xmax < xmin or ymax <
// ymin, more than 1 px outside the image of <size> or entirely outside it (boxes
// within 1 px are clipped).
// Get(index) fails, naming the file, on a missing or undecodable image or mask, an
// image whose size differs from the XML's <size>, a mask whose size differs from
// the image's, a mask colour outside the VOC palette and a mask value that is
// neither a class nor ignore_index.
#ifndef STLAB_PLUGINS_DATASETS_VOC_H_
#define STLAB_PLUGINS_DATASETS_VOC_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "plugins/datasets/label_map.h"
#include "registry/param.h"

namespace stlab::datasets {

/// The 20 VOC classes in the standard order (class k is mask value k + 1), the
/// default class list.
inline constexpr std::array<const char*, 20> kVocClassNames = {
    "aeroplane", "bicycle",     "bird",  "boat",        "bottle", "bus",      "car",
    "cat",       "chair",       "cow",   "diningtable", "dog",    "horse",    "motorbike",
    "person",    "pottedplant", "sheep", "sofa",        "train",  "tvmonitor"};

struct VocOptions {
  std::filesystem::path root;   ///< The year's folder, e.g. .../VOCdevkit/VOC2012.
  std::string split = "train";  ///< ImageSets/<Main|Segmentation>/<split>.txt.
  /// Class names: <name> in the XML; class k is mask value k + 1 (k with !background).
  std::vector<std::string> classes{kVocClassNames.begin(), kVocClassNames.end()};
  std::string image_extension = ".jpg";  ///< Images are JPEGImages/<id><image_extension>.
  bool keep_difficult = false;  ///< Detection: difficult objects are boxes, not ignore_boxes.
  bool background = true;       ///< Segmentation: mask value 0 is "background".
  int64_t ignore_index = 255;   ///< Segmentation: the stored value of unlabeled pixels.
};

/// Parameter declarations of datasets "voc_detection" and "voc_segmentation".
ParamSpecs VocDetectionParams();
ParamSpecs VocSegmentationParams();
/// Options from validated parameters; relative paths (root, classes_file) are taken
/// relative to `base_dir`. Fails on a bad class list (see ClassListFromParams).
absl::StatusOr<VocOptions> VocOptionsFromParams(const Params& params,
                                                const std::filesystem::path& base_dir,
                                                bool detection);

/// Reads a VOC class-index PNG (palette, or 1-channel indices) as [H, W] uint8 mask
/// values through `values` (see the file comment for the errors).
absl::StatusOr<at::Tensor> ReadVocMask(const std::filesystem::path& path,
                                       const LabelValues& values);

class VocDetectionDataset : public Dataset {
 public:
  /// Reads the split file and every XML annotation of the split.
  static absl::StatusOr<std::shared_ptr<VocDetectionDataset>> Create(VocOptions options);

  int64_t Size() const override { return static_cast<int64_t>(images_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

 private:
  struct Image {
    std::string id;
    int64_t width = 0;
    int64_t height = 0;
    std::vector<float> boxes;  // Flattened [M, 4].
    std::vector<int64_t> labels;
    std::vector<float> ignore_boxes;  // Flattened [K, 4].
  };

  VocDetectionDataset() = default;

  VocOptions options_;
  std::vector<Image> images_;
  DatasetInfo info_;
};

class VocSegmentationDataset : public Dataset {
 public:
  /// Reads the split file; images and masks are read by Get().
  static absl::StatusOr<std::shared_ptr<VocSegmentationDataset>> Create(VocOptions options);

  int64_t Size() const override { return static_cast<int64_t>(ids_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

 private:
  explicit VocSegmentationDataset(LabelValues values) : values_(std::move(values)) {}

  VocOptions options_;
  LabelValues values_;
  std::vector<std::string> ids_;
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_VOC_H_
