// The PASCAL VOC datasets, read from the VOCdevkit layout of one year's folder
// (e.g. VOCdevkit/VOC2012): JPEGImages/<id>.jpg, Annotations/<id>.xml,
// SegmentationClass/<id>.png and the id lists ImageSets/{Main,Segmentation}/<split>.txt.
//
// `voc_detection` (ids from ImageSets/Main): boxes from the XML annotations, labels
// [M] int64 indexing kVocClassNames. VOC boxes are 1-based inclusive pixel
// indices: (xmin, ymin, xmax, ymax) becomes (xmin - 1, ymin - 1, xmax, ymax).
// "difficult" objects become ignore_boxes (or boxes with keep_difficult).
// `voc_segmentation` (ids from ImageSets/Segmentation): mask [H, W] uint8 from the
// SegmentationClass PNG, 0 = background, class k -> k + 1 (1..20), 255 = ignore
// (object borders and "void"); boxes [0, 4], labels [0].
// Both: image_id = the id's position in the split file; source = the image path;
// DatasetInfo: class_names the 20 classes, category_ids 1..20 and, for segmentation,
// mask_class_names "background" followed by the 20 classes.
//
// NOTE: OpenCV 4.6 expands palette PNGs to BGR even with cv::IMREAD_UNCHANGED, so
// the class index cannot be read directly. The VOC palette (the bit-interleaving
// colour map of the devkit's labelcolormap.m) gives its 256 indices 256 distinct
// colours, so each colour is mapped back to its index; index 255 is
// (224, 224, 192), the border colour. 1-channel PNGs (e.g. the "SegmentationClassAug"
// masks) are read as indices as they are.
//
// Checks. Construction fails, naming the file, on: a missing root, split file or
// XML annotation; XML that does not parse or lacks <size> or a box coordinate; an
// unknown class name; a box with xmax < xmin or ymax < ymin, more than 1 px outside
// the image of <size> or entirely outside it (boxes within 1 px are clipped).
// Get(index) fails, naming the file, on a missing or undecodable image or mask, an
// image whose size differs from the XML's <size>, a mask whose size differs from
// the image's, a mask colour outside the VOC palette and a mask value other than
// 0..20 and 255.
#ifndef STLAB_PLUGINS_DATASETS_VOC_H_
#define STLAB_PLUGINS_DATASETS_VOC_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "registry/param.h"

namespace stlab::datasets {

/// The 20 VOC classes in the standard order (class k is mask value k + 1).
inline constexpr std::array<const char*, 20> kVocClassNames = {
    "aeroplane", "bicycle",     "bird",  "boat",        "bottle", "bus",      "car",
    "cat",       "chair",       "cow",   "diningtable", "dog",    "horse",    "motorbike",
    "person",    "pottedplant", "sheep", "sofa",        "train",  "tvmonitor"};

struct VocOptions {
  std::filesystem::path root;   ///< The year's folder, e.g. .../VOCdevkit/VOC2012.
  std::string split = "train";  ///< ImageSets/<Main|Segmentation>/<split>.txt.
  bool keep_difficult = false;  ///< Detection: difficult objects are boxes, not ignore_boxes.
};

/// Parameter declarations of datasets "voc_detection" and "voc_segmentation".
ParamSpecs VocDetectionParams();
ParamSpecs VocSegmentationParams();
/// Options from validated parameters; a relative root is taken relative to `base_dir`.
VocOptions VocOptionsFromParams(const Params& params, const std::filesystem::path& base_dir,
                                bool detection);

/// Reads a VOC class-index PNG (palette, or 1-channel indices) as [H, W] uint8 with
/// values 0..20 and 255 (see the file comment for the errors).
absl::StatusOr<at::Tensor> ReadVocMask(const std::filesystem::path& path);

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
  VocSegmentationDataset() = default;

  VocOptions options_;
  std::vector<std::string> ids_;
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_VOC_H_
