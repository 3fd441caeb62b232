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

// The names of the first-level folders of `root` (symbolic links to folders
// included), sorted byte by byte.
absl::StatusOr<std::vector<std::string>> ClassFolders(const fs::path& root) {
  std::vector<std::string> names;
  std::error_code error;
  fs::directory_iterator it(root, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    std::error_code type_error;
    if (it->is_directory(type_error)) names.push_back(it->path().filename().string());
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat(root.string(), ": cannot list the folder: ", error.message()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Lists the images of every class folder into `files`, with their classes in
// `labels`; fills `info` with the class names.
absl::Status ListLabeledImages(const ImageFolderOptions& options, std::vector<fs::path>& files,
                               std::vector<int64_t>& labels, DatasetInfo& info) {
  std::vector<fs::path> top;
  STLAB_RETURN_IF_ERROR(ListImages<fs::directory_iterator>(options.root, top));
  if (!top.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        (*std::min_element(top.begin(), top.end())).string(),
        ": an image directly under the root; with labels = \"subfolder\" every image must be in "
        "a class folder"));
  }
  STLAB_ASSIGN_OR_RETURN(info.class_names, ClassFolders(options.root));
  if (info.class_names.empty()) {
    return absl::NotFoundError(absl::StrCat(
        options.root.string(), ": no class folders (labels = \"subfolder\" needs one per class)"));
  }
  for (size_t k = 0; k < info.class_names.size(); ++k) {
    const fs::path folder = options.root / info.class_names[k];
    const size_t before = files.size();
    STLAB_RETURN_IF_ERROR(options.recursive
                              ? ListImages<fs::recursive_directory_iterator>(folder, files)
                              : ListImages<fs::directory_iterator>(folder, files));
    if (files.size() == before) {
      return absl::NotFoundError(absl::StrCat(folder.string(),
                                              ": class folder without .jpg, .jpeg or .png images",
                                              options.recursive ? " (searched recursively)" : ""));
    }
    labels.resize(files.size(), static_cast<int64_t>(k));
    info.category_ids.push_back(static_cast<int64_t>(k));
  }
  return absl::OkStatus();
}

}  // namespace

ParamSpecs ImageFolderParams() {
  return {
      ParamSpec::Required("root", ParamType::kString,
                          "folder of .jpg/.jpeg/.png images, relative to the config's folder"),
      ParamSpec::Bool("recursive", true, "also take the images in sub-folders"),
      ParamSpec::String("labels", "none",
                        "none: unlabeled; subfolder: class = first-level folder (ImageNet layout)")
          .OneOf({"none", "subfolder"}),
  };
}

ImageFolderOptions ImageFolderOptionsFromParams(const Params& params, const fs::path& base_dir) {
  ImageFolderOptions options;
  options.root = ResolvePath(base_dir, params.GetString("root"));
  options.recursive = params.GetBool("recursive");
  options.labels_from_subfolders = params.GetString("labels") == "subfolder";
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
  std::vector<int64_t>& labels = dataset->labels_;
  if (options.labels_from_subfolders) {
    STLAB_RETURN_IF_ERROR(ListLabeledImages(options, files, labels, dataset->info_));
  } else {
    STLAB_RETURN_IF_ERROR(options.recursive
                              ? ListImages<fs::recursive_directory_iterator>(options.root, files)
                              : ListImages<fs::directory_iterator>(options.root, files));
  }
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat(options.root.string(),
                                            ": no .jpg, .jpeg or .png images",
                                            options.recursive ? " (searched recursively)" : ""));
  }
  // NOTE: byte order of the relative path's generic (/-separated) form, not
  // locale or file system order, so that indices agree across machines; labeled
  // or not, the order is the same.
  std::vector<size_t> order(files.size());
  std::vector<std::string> keys(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    order[i] = i;
    keys[i] = files[i].lexically_relative(options.root).generic_string();
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<fs::path> sorted_files;
  std::vector<int64_t> sorted_labels;
  for (size_t i : order) {
    sorted_files.push_back(std::move(files[i]));
    if (!labels.empty()) sorted_labels.push_back(labels[i]);
  }
  files = std::move(sorted_files);
  labels = std::move(sorted_labels);
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
  if (labels_.empty()) {
    sample.boxes = at::empty({0, 4}, at::kFloat);
    sample.labels = at::empty({0}, at::kLong);
  } else {
    sample.boxes = at::tensor({0.0f, 0.0f, static_cast<float>(sample.image.size(1)),
                               static_cast<float>(sample.image.size(0))})
                       .view({1, 4});
    sample.labels = at::tensor({labels_[static_cast<size_t>(index)]}, at::kLong);
  }
  sample.ignore_boxes = at::empty({0, 4}, at::kFloat);
  return sample;
}

}  // namespace stlab::datasets
