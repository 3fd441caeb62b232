// The `image_folder` dataset: images (JPEG and PNG) under a folder, unlabeled (an
// unlabeled pool for self-training, SimCLR) or labeled by the sub-folder they are in
// (ImageNet's train/<class>/<image> layout, for supervised pre-training).
//
// Files with extension .jpg, .jpeg or .png (any case) are taken, from sub-folders
// too with `recursive` (symbolic links to folders below the root are not
// followed), ordered by their path relative to the root compared byte by byte, so
// that an index means the same file on every machine. Sample i: image_id = i,
// source = the file's path, ignore_boxes [0, 4], no mask; unlabeled: boxes [0, 4],
// labels [0].
//
// Labeled by sub-folder: the classes are the names of the root's first-level
// folders sorted byte by byte (torchvision's ImageFolder order), class i named by
// DatasetInfo::class_names[i]; a sample's labels are [1] int64, the class of the
// first-level folder holding it, with one box covering the whole image so that
// boxes and labels stay paired through augmentations (has_boxes stays false: the
// box is no annotation). An image directly under the root is an error naming it.
// NOTE: so is a class folder without images: a class that no sample has most
// likely means a half-copied dataset, and torchvision's ImageFolder refuses it too.
//
// Construction fails on a missing root or a folder without images; Get(index) on a
// missing (since removed), empty, truncated or undecodable file, naming it.
#ifndef STLAB_PLUGINS_DATASETS_IMAGE_FOLDER_H_
#define STLAB_PLUGINS_DATASETS_IMAGE_FOLDER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "registry/param.h"

namespace stlab::datasets {

struct ImageFolderOptions {
  std::filesystem::path root;
  bool recursive = true;  ///< Also take the images in sub-folders.
  /// Label each image by its first-level sub-folder (see the file comment).
  bool labels_from_subfolders = false;
};

/// Parameter declarations of dataset "image_folder".
ParamSpecs ImageFolderParams();
/// Options from validated parameters; a relative root is taken relative to `base_dir`.
ImageFolderOptions ImageFolderOptionsFromParams(const Params& params,
                                                const std::filesystem::path& base_dir);

class ImageFolderDataset : public Dataset {
 public:
  /// Lists the images (see the file comment).
  static absl::StatusOr<std::shared_ptr<ImageFolderDataset>> Create(ImageFolderOptions options);

  int64_t Size() const override { return static_cast<int64_t>(files_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

  /// The image files in index order.
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  ImageFolderDataset() = default;

  std::vector<std::filesystem::path> files_;
  std::vector<int64_t> labels_;  // Class per file; empty when unlabeled.
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_IMAGE_FOLDER_H_
