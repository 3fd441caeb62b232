// The `segmentation_folder` dataset (see segmentation_folder.h).
#include "plugins/datasets/segmentation_folder.h"

#include <fstream>
#include <map>
#include <system_error>

#include "ATen/ATen.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/sample.h"
#include "core/status.h"
#include "plugins/datasets/class_list.h"
#include "plugins/datasets/image_io.h"
#include "plugins/datasets/resolve_path.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;

using KeyedFiles = std::map<std::string, fs::path>;  // Key -> file, keys in byte order.

constexpr const char* kImageExtensions = ".jpg, .jpeg or .png";

// The length of the suffix that makes `name` a file of the folder, or 0 if none does:
// `suffix`, or with an empty one an image extension.
size_t SuffixLength(const std::string& name, const std::string& suffix) {
  if (!suffix.empty()) {
    return name.size() > suffix.size() && absl::EndsWith(name, suffix) ? suffix.size() : 0;
  }
  const std::string extension = absl::AsciiStrToLower(fs::path(name).extension().string());
  const bool image = extension == ".jpg" || extension == ".jpeg" || extension == ".png";
  return image && name.size() > extension.size() ? extension.size() : 0;
}

std::string DescribeSuffix(const std::string& suffix) {
  return suffix.empty() ? kImageExtensions : suffix;
}

// The files under `root` (searched recursively) that end in `suffix`, by key.
absl::StatusOr<KeyedFiles> ListKeyed(const fs::path& root, const std::string& suffix,
                                     const char* what) {
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    return absl::NotFoundError(absl::StrCat(root.string(), ": ", what, " folder not found"));
  }
  KeyedFiles files;
  fs::recursive_directory_iterator it(root, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code type_error;
    if (!it->is_regular_file(type_error)) continue;
    const std::string relative = it->path().lexically_relative(root).generic_string();
    const size_t length = SuffixLength(it->path().filename().string(), suffix);
    if (length == 0) continue;
    const std::string key = relative.substr(0, relative.size() - length);
    const auto [previous, inserted] = files.emplace(key, it->path());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          it->path().string(), ": ", previous->second.string(), " has the same key '", key, "'"));
    }
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat(root.string(), ": cannot list the folder: ", error.message()));
  }
  return files;
}

// The keys of `path`: the first word of each non-empty line, with their line numbers.
absl::StatusOr<std::vector<std::pair<std::string, int>>> ReadSplitKeys(const fs::path& path) {
  std::ifstream file(path);
  if (!file.is_open()) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": split file not found"));
  }
  std::vector<std::pair<std::string, int>> keys;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty()) continue;
    keys.emplace_back(std::string(stripped.substr(0, stripped.find_first_of(" \t"))), number);
  }
  if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path.string(), ": no keys"));
  return keys;
}

}  // namespace

ParamSpecs SegmentationFolderParams() {
  ParamSpecs specs = {
      ParamSpec::Required("images", ParamType::kString,
                          "folder of the images (sub-folders searched), relative to the config's "
                          "folder"),
      ParamSpec::Required("labels", ParamType::kString,
                          "folder of the label maps: 8-bit grey PNGs of class values, matched to "
                          "the images by key (relative path without suffix)"),
      ParamSpec::Int("ignore_index", kIgnoreLabel,
                     "label value of unlabeled pixels (CamVid: 11, Cityscapes train IDs: 255, "
                     "ADE20K: 0); values above it are the next classes")
          .Range(0, 255),
      ParamSpec::String("split_file", "",
                        "optional list of keys, one per line, relative to the config's folder; "
                        "empty: every label map"),
      ParamSpec::String("image_suffix", "",
                        "an image is <key><image_suffix> (e.g. \"_leftImg8bit.png\"); empty: "
                        "<key>.jpg, .jpeg or .png"),
      ParamSpec::String("label_suffix", ".png",
                        "a label map is <key><label_suffix> (e.g. \"_gtFine_labelTrainIds.png\")"),
  };
  for (ParamSpec& spec : ClassListParams(
           "class names; class k is label value k, or k + 1 when k >= ignore_index", "")) {
    specs.push_back(std::move(spec));
  }
  return specs;
}

absl::StatusOr<SegmentationFolderOptions> SegmentationFolderOptionsFromParams(
    const Params& params, const fs::path& base_dir) {
  SegmentationFolderOptions options;
  options.images = ResolvePath(base_dir, params.GetString("images"));
  options.labels = ResolvePath(base_dir, params.GetString("labels"));
  options.ignore_index = params.GetInt("ignore_index");
  if (!params.GetString("split_file").empty()) {
    options.split_file = ResolvePath(base_dir, params.GetString("split_file"));
  }
  options.image_suffix = params.GetString("image_suffix");
  options.label_suffix = params.GetString("label_suffix");
  STLAB_ASSIGN_OR_RETURN(options.classes,
                         ClassListFromParams(params, base_dir, {}, kIgnoreLabel));
  return options;
}

absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> SegmentationFolderDataset::Create(
    SegmentationFolderOptions options) {
  if (options.label_suffix.empty()) {
    return absl::InvalidArgumentError("label_suffix is empty; label maps are <key><label_suffix>");
  }
  STLAB_ASSIGN_OR_RETURN(
      LabelValues values,
      LabelValues::Create(static_cast<int64_t>(options.classes.size()), options.ignore_index));
  std::shared_ptr<SegmentationFolderDataset> dataset(
      new SegmentationFolderDataset(std::move(values)));
  STLAB_ASSIGN_OR_RETURN(const KeyedFiles images,
                         ListKeyed(options.images, options.image_suffix, "image"));
  STLAB_ASSIGN_OR_RETURN(const KeyedFiles labels,
                         ListKeyed(options.labels, options.label_suffix, "label"));
  const std::string image_files = absl::StrCat(options.images.string(), "/<key>",
                                               DescribeSuffix(options.image_suffix));
  const std::string label_files =
      absl::StrCat(options.labels.string(), "/<key>", options.label_suffix);

  if (options.split_file.empty()) {
    for (const auto& [key, label] : labels) {
      const auto image = images.find(key);
      if (image == images.end()) {
        return absl::NotFoundError(absl::StrCat(label.string(), ": no image ", image_files,
                                                " for this label map (key '", key, "')"));
      }
      dataset->files_.push_back({image->second, label});
    }
    for (const auto& [key, image] : images) {
      if (!labels.contains(key)) {
        return absl::NotFoundError(absl::StrCat(image.string(), ": no label map ", label_files,
                                                " for this image (key '", key,
                                                "'); list the labeled images in split_file"));
      }
    }
    if (dataset->files_.empty()) {
      return absl::NotFoundError(absl::StrCat(options.labels.string(), ": no label maps ",
                                              label_files, " (searched recursively)"));
    }
  } else {
    const auto example = [](const KeyedFiles& files) {
      return files.empty() ? std::string()
                           : absl::StrCat(" (a key there: '", files.begin()->first, "')");
    };
    STLAB_ASSIGN_OR_RETURN(const auto keys, ReadSplitKeys(options.split_file));
    for (const auto& [key, line] : keys) {
      const std::string where =
          absl::StrCat(options.split_file.string(), ":", line, ": key '", key, "'");
      const auto image = images.find(key);
      const auto label = labels.find(key);
      if (image == images.end()) {
        return absl::NotFoundError(
            absl::StrCat(where, " has no image ", image_files, example(images)));
      }
      if (label == labels.end()) {
        return absl::NotFoundError(
            absl::StrCat(where, " has no label map ", label_files, example(labels)));
      }
      dataset->files_.push_back({image->second, label->second});
    }
  }

  DatasetInfo& info = dataset->info_;
  info.class_names = options.classes;
  info.mask_class_names = options.classes;
  for (size_t k = 0; k < options.classes.size(); ++k) {
    info.category_ids.push_back(dataset->values_.StoredValue(static_cast<int64_t>(k)));
  }
  info.has_masks = true;
  return dataset;
}

absl::StatusOr<Sample> SegmentationFolderDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("segmentation_folder: index ", index, " not in [0, ", Size(), ")"));
  }
  const Files& files = files_[static_cast<size_t>(index)];
  Sample sample;
  sample.image_id = index;
  sample.source = files.image.string();
  STLAB_ASSIGN_OR_RETURN(sample.image, ReadRgbImage(files.image));
  STLAB_ASSIGN_OR_RETURN(sample.mask, ReadLabelMap(files.label, values_));
  if (sample.mask.size(0) != sample.image.size(0) || sample.mask.size(1) != sample.image.size(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        files.label.string(), ": label map is ", sample.mask.size(1), "x", sample.mask.size(0),
        " but the image ", files.image.string(), " is ", sample.image.size(1), "x",
        sample.image.size(0)));
  }
  sample.boxes = at::empty({0, 4}, at::kFloat);
  sample.labels = at::empty({0}, at::kLong);
  sample.ignore_boxes = at::empty({0, 4}, at::kFloat);
  return sample;
}

}  // namespace stlab::datasets
