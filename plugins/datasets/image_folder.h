// The `image_folder` dataset: unlabeled images (JPEG and PNG) under a folder, e.g.
// an unlabeled pool for self-training.
//
// Files with extension .jpg, .jpeg or .png (any case) are taken, from sub-folders
// too with `recursive` (symbolic links to folders are not followed), ordered by
// their path relative to the root compared byte by byte, so that an index means
// the same file on every machine. Sample i: image_id = i, source = the file's
// path, image only; boxes [0, 4], labels [0], ignore_boxes [0, 4], no mask.
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
  DatasetInfo info_;
};

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_IMAGE_FOLDER_H_
