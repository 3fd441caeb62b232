// The `image_folder` dataset (see image_folder.h).
#include "plugins/datasets/image_folder.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

#include "ATen/ATen.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/datasets/image_io.h"
#include "plugins/datasets/resolve_path.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;

bool IsImage(const fs::path& path) {
  const std::string extension = absl::AsciiStrToLower(path.extension().string());
  return extension == ".jpg" || extension == ".jpeg" || extension == ".png";
}

// Appends the images under `root` (recursively or not) to `files`.
template <typename Iterator>
absl::Status ListImages(const fs::path& root, std::vector<fs::path>& files) {
  std::error_code error;
  Iterator it(root, error);
  for (; !error && it != Iterator(); it.increment(error)) {
    std::error_code type_error;
    if (it->is_regular_file(type_error) && IsImage(it->path())) files.push_back(it->path());
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat(root.string(), ": cannot list the folder: ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

ParamSpecs ImageFolderParams() {
  return {
      ParamSpec::Required("root", ParamType::kString,
                          "folder of .jpg/.jpeg/.png images, relative to the config's folder"),
      ParamSpec::Bool("recursive", true, "also take the images in sub-folders"),
  };
}

ImageFolderOptions ImageFolderOptionsFromParams(const Params& params, const fs::path& base_dir) {
  ImageFolderOptions options;
  options.root = ResolvePath(base_dir, params.GetString("root"));
  options.recursive = params.GetBool("recursive");
  return options;
}

absl::StatusOr<std::shared_ptr<ImageFolderDataset>> ImageFolderDataset::Create(
    ImageFolderOptions options) {
  std::error_code error;
  if (!fs::is_directory(options.root, error)) {
    return absl::NotFoundError(absl::StrCat(options.root.string(), ": image folder not found"));
  }
  std::shared_ptr<ImageFolderDataset> dataset(new ImageFolderDataset());
  std::vector<fs::path>& files = dataset->files_;
  STLAB_RETURN_IF_ERROR(options.recursive
                            ? ListImages<fs::recursive_directory_iterator>(options.root, files)
                            : ListImages<fs::directory_iterator>(options.root, files));
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat(options.root.string(),
                                            ": no .jpg, .jpeg or .png images",
                                            options.recursive ? " (searched recursively)" : ""));
  }
  // NOTE: byte order of the relative path's generic (/-separated) form, not
  // locale or file system order, so that indices agree across machines.
  std::vector<std::pair<std::string, fs::path>> keyed;
  for (fs::path& file : files) {
    keyed.emplace_back(file.lexically_relative(options.root).generic_string(), std::move(file));
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) files[i] = std::move(keyed[i].second);
  return dataset;
}

absl::StatusOr<Sample> ImageFolderDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("image_folder: index ", index, " not in [0, ", Size(), ")"));
  }
  const fs::path& path = files_[static_cast<size_t>(index)];
  Sample sample;
  sample.image_id = index;
  sample.source = path.string();
  STLAB_ASSIGN_OR_RETURN(sample.image, ReadRgbImage(path));
  sample.boxes = at::empty({0, 4}, at::kFloat);
  sample.labels = at::empty({0}, at::kLong);
  sample.ignore_boxes = at::empty({0, 4}, at::kFloat);
  return sample;
}

}  // namespace stlab::datasets
