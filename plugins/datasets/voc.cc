// The PASCAL VOC datasets (see voc.h): XML annotations with pugixml, images and
// masks with OpenCV.
#include "plugins/datasets/voc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <unordered_map>
#include <utility>

#include "ATen/ATen.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sample.h"
#include "core/status.h"
#include "opencv2/imgcodecs.hpp"
#include "plugins/datasets/class_list.h"
#include "plugins/datasets/image_io.h"
#include "plugins/datasets/resolve_path.h"
#include "pugixml.hpp"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;

constexpr double kBoxTolerance = 1.0;  // Pixels a box may overshoot the image (then clipped).

// The VOC devkit's colour map: index bits 0, 1, 2 go to the top bit of R, G, B,
// bits 3, 4, 5 to the next bit, and so on.
std::array<cv::Vec3b, 256> VocPalette() {
  std::array<cv::Vec3b, 256> palette;  // RGB.
  for (int i = 0; i < 256; ++i) {
    int r = 0, g = 0, b = 0;
    for (int j = 0, c = i; j < 8; ++j, c >>= 3) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
    }
    palette[i] = cv::Vec3b(r, g, b);
  }
  return palette;
}

uint32_t Pack(uint8_t r, uint8_t g, uint8_t b) { return (r << 16) | (g << 8) | b; }

// RGB colour -> palette index, for all 256 (distinct) colours.
const std::unordered_map<uint32_t, uint8_t>& PaletteIndex() {
  static const auto* index = [] {
    auto* map = new std::unordered_map<uint32_t, uint8_t>();
    const std::array<cv::Vec3b, 256> palette = VocPalette();
    for (int i = 0; i < 256; ++i)
      map->emplace(Pack(palette[i][0], palette[i][1], palette[i][2]), i);
    return map;
  }();
  return *index;
}

std::string SplitFile(const VocOptions& options, bool detection) {
  return (options.root / "ImageSets" / (detection ? "Main" : "Segmentation") /
          (options.split + ".txt"))
      .string();
}

// The ids of a split file: the first word of each non-empty line.
absl::StatusOr<std::vector<std::string>> ReadSplit(const VocOptions& options, bool detection) {
  std::error_code error;
  if (!fs::is_directory(options.root, error)) {
    return absl::NotFoundError(absl::StrCat(options.root.string(), ": VOC folder not found"));
  }
  const fs::path path = SplitFile(options, detection);
  std::ifstream file(path);
  if (!file.is_open()) {
    // Split files are <split>.txt; <class>_<split>.txt are per-class lists.
    std::vector<std::string> splits;
    for (const auto& entry : fs::directory_iterator(path.parent_path(), error)) {
      const std::string stem = entry.path().stem().string();
      if (entry.path().extension() == ".txt" && stem.find('_') == std::string::npos) {
        splits.push_back(stem);
      }
    }
    std::sort(splits.begin(), splits.end());
    return absl::NotFoundError(absl::StrCat(path.string(), ": split file not found (splits there: ",
                                            splits.empty() ? "none" : absl::StrJoin(splits, ", "),
                                            ")"));
  }
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(file, line)) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty()) continue;
    ids.emplace_back(stripped.substr(0, stripped.find_first_of(" \t")));
  }
  if (ids.empty()) return absl::InvalidArgumentError(absl::StrCat(path.string(), ": no image ids"));
  return ids;
}

fs::path ImagePath(const VocOptions& options, const std::string& id) {
  return options.root / "JPEGImages" / (id + options.image_extension);
}

// `values` (segmentation only) gives the classes' values in the masks.
DatasetInfo VocInfo(const VocOptions& options, const LabelValues* values) {
  DatasetInfo info;
  info.class_names = options.classes;
  info.has_boxes = values == nullptr;
  info.has_masks = values != nullptr;
  const int64_t first = values != nullptr && !options.background ? 0 : 1;
  for (size_t k = 0; k < options.classes.size(); ++k) {
    const int64_t mask_value = first + static_cast<int64_t>(k);
    info.category_ids.push_back(values != nullptr ? values->StoredValue(mask_value) : mask_value);
  }
  if (values != nullptr) {
    if (options.background) info.mask_class_names.push_back("background");
    info.mask_class_names.insert(info.mask_class_names.end(), info.class_names.begin(),
                                 info.class_names.end());
  }
  return info;
}

// The number in element `name` of `node`.
absl::StatusOr<double> ReadNumber(pugi::xml_node node, const char* name, absl::string_view where) {
  const pugi::xml_node child = node.child(name);
  double value = 0;
  if (!child) return absl::InvalidArgumentError(absl::StrCat(where, ": missing <", name, ">"));
  if (!absl::SimpleAtod(child.child_value(), &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": <", name, "> '", child.child_value(), "' is not a number"));
  }
  return value;
}

at::Tensor Boxes(const std::vector<float>& flat) {
  return at::tensor(flat, at::kFloat).reshape({-1, 4});
}

at::Tensor NoBoxes() { return at::empty({0, 4}, at::kFloat); }

}  // namespace

ParamSpecs VocDetectionParams() {
  ParamSpecs specs = {
      ParamSpec::Required("root", ParamType::kString,
                          "the year's folder (e.g. VOCdevkit/VOC2012), relative to the config's "
                          "folder"),
      ParamSpec::String("split", "train", "id list ImageSets/Main/<split>.txt (train, val, ...)"),
      ParamSpec::Bool("keep_difficult", false,
                      "difficult objects become boxes instead of ignore_boxes"),
      ParamSpec::String("image_extension", ".jpg", "images are JPEGImages/<id><image_extension>"),
  };
  for (ParamSpec& spec : ClassListParams("class names as in the XML <name>; label k = class k",
                                         "the 20 VOC classes")) {
    specs.push_back(std::move(spec));
  }
  return specs;
}

ParamSpecs VocSegmentationParams() {
  ParamSpecs specs = {
      ParamSpec::Required("root", ParamType::kString,
                          "the year's folder (e.g. VOCdevkit/VOC2012), relative to the config's "
                          "folder"),
      ParamSpec::String("split", "train",
                        "id list ImageSets/Segmentation/<split>.txt (train, val, ...)"),
      ParamSpec::String("image_extension", ".jpg", "images are JPEGImages/<id><image_extension>"),
      ParamSpec::Bool("background", true,
                      "mask value 0 is class \"background\" and class k is value k + 1 (VOC); "
                      "false: class k is value k"),
      ParamSpec::Int("ignore_index", kIgnoreLabel,
                     "mask value of unlabeled pixels (VOC: 255, CamVid: 11); values above it "
                     "are the next classes")
          .Range(0, 255),
  };
  for (ParamSpec& spec : ClassListParams(
           "class names in mask-value order (after \"background\" with background = true)",
           "the 20 VOC classes")) {
    specs.push_back(std::move(spec));
  }
  return specs;
}

absl::StatusOr<VocOptions> VocOptionsFromParams(const Params& params, const fs::path& base_dir,
                                                bool detection) {
  VocOptions options;
  options.root = ResolvePath(base_dir, params.GetString("root"));
  options.split = params.GetString("split");
  options.image_extension = params.GetString("image_extension");
  if (detection) {
    options.keep_difficult = params.GetBool("keep_difficult");
  } else {
    options.background = params.GetBool("background");
    options.ignore_index = params.GetInt("ignore_index");
  }
  const size_t max_classes = detection ? SIZE_MAX : kIgnoreLabel - (options.background ? 1 : 0);
  STLAB_ASSIGN_OR_RETURN(options.classes,
                         ClassListFromParams(params, base_dir, options.classes, max_classes));
  return options;
}

absl::StatusOr<at::Tensor> ReadVocMask(const fs::path& path, const LabelValues& values) {
  STLAB_ASSIGN_OR_RETURN(const cv::Mat decoded, DecodeImageFile(path, cv::IMREAD_UNCHANGED));
  const int channels = decoded.channels();
  if (decoded.depth() != CV_8U || (channels != 1 && channels != 3 && channels != 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": expected an 8-bit palette or 1-channel PNG, got ", channels,
                     " channels of ", decoded.elemSize1() * 8, " bits"));
  }
  at::Tensor mask = at::empty({decoded.rows, decoded.cols}, at::kByte);
  uint8_t* out = mask.data_ptr<uint8_t>();
  const auto& palette_index = PaletteIndex();
  for (int y = 0; y < decoded.rows; ++y) {
    const uint8_t* row = decoded.ptr<uint8_t>(y);
    for (int x = 0; x < decoded.cols; ++x, ++out) {
      const uint8_t* pixel = row + x * channels;
      if (channels == 1) {
        *out = pixel[0];
      } else {
        const auto found = palette_index.find(Pack(pixel[2], pixel[1], pixel[0]));  // BGR.
        if (found == palette_index.end()) {
          return absl::InvalidArgumentError(absl::StrCat(
              path.string(), ": pixel (", x, ", ", y, ") has colour RGB(", int{pixel[2]}, ", ",
              int{pixel[1]}, ", ", int{pixel[0]}, "), which is not in the VOC palette"));
        }
        *out = found->second;
      }
    }
  }
  STLAB_RETURN_IF_ERROR(values.Apply(path, mask));
  return mask;
}

absl::StatusOr<std::shared_ptr<VocDetectionDataset>> VocDetectionDataset::Create(
    VocOptions options) {
  std::shared_ptr<VocDetectionDataset> dataset(new VocDetectionDataset());
  STLAB_ASSIGN_OR_RETURN(const std::vector<std::string> ids, ReadSplit(options, true));
  std::unordered_map<std::string, int64_t> label_of;
  for (size_t k = 0; k < options.classes.size(); ++k) {
    label_of.emplace(options.classes[k], static_cast<int64_t>(k));
  }

  for (const std::string& id : ids) {
    const fs::path path = options.root / "Annotations" / (id + ".xml");
    const std::string file = path.string();
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_file(path.c_str());
    if (parsed.status == pugi::status_file_not_found) {
      return absl::NotFoundError(absl::StrCat(file, ": annotation file not found (id ", id, " of ",
                                              SplitFile(options, true), ")"));
    }
    if (!parsed) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": invalid XML: ", parsed.description(),
                                                     " at offset ", parsed.offset));
    }
    const pugi::xml_node annotation = doc.child("annotation");
    if (!annotation) return absl::InvalidArgumentError(absl::StrCat(file, ": no <annotation>"));
    Image image;
    image.id = id;
    const std::string size_where = absl::StrCat(file, ": <size>");
    STLAB_ASSIGN_OR_RETURN(const double width,
                           ReadNumber(annotation.child("size"), "width", size_where));
    STLAB_ASSIGN_OR_RETURN(const double height,
                           ReadNumber(annotation.child("size"), "height", size_where));
    // Image sizes are ints (cv::Mat); a larger <size> is no image, and converting it
    // to an integer would be undefined.
    constexpr double kMaxSide = std::numeric_limits<int>::max();
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
      return absl::InvalidArgumentError(
          absl::StrCat(size_where, ": ", width, "x", height, " is not an image size"));
    }
    image.width = static_cast<int64_t>(width);
    image.height = static_cast<int64_t>(height);
    int object_index = 0;
    for (const pugi::xml_node object : annotation.children("object")) {
      const std::string name(absl::StripAsciiWhitespace(object.child_value("name")));
      const std::string where = absl::StrCat(file, ": object ", object_index++, " (", name, ")");
      const auto label = label_of.find(name);
      if (label == label_of.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown class '", name, "'; classes: ",
                         absl::StrJoin(options.classes, ", "),
                         " (set classes or classes_file for a set with other classes)"));
      }
      const pugi::xml_node box = object.child("bndbox");
      if (!box) return absl::InvalidArgumentError(absl::StrCat(where, ": missing <bndbox>"));
      STLAB_ASSIGN_OR_RETURN(const double xmin, ReadNumber(box, "xmin", where));
      STLAB_ASSIGN_OR_RETURN(const double ymin, ReadNumber(box, "ymin", where));
      STLAB_ASSIGN_OR_RETURN(const double xmax, ReadNumber(box, "xmax", where));
      STLAB_ASSIGN_OR_RETURN(const double ymax, ReadNumber(box, "ymax", where));
      const std::string corners =
          absl::StrCat("box (", xmin, ", ", ymin, ", ", xmax, ", ", ymax, ")");
      const double x1 = xmin - 1, y1 = ymin - 1, x2 = xmax, y2 = ymax;
      if (x2 <= x1 || y2 <= y1) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": ", corners, " has xmax < xmin or ymax < ymin"));
      }
      if (x1 >= width || y1 >= height || x2 <= 0 || y2 <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": ", corners, " lies outside the ", width, "x", height, " image"));
      }
      if (x1 < -kBoxTolerance || y1 < -kBoxTolerance || x2 > width + kBoxTolerance ||
          y2 > height + kBoxTolerance) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", corners, " extends more than ",
                                                       kBoxTolerance, " px outside the ", width,
                                                       "x", height, " image"));
      }
      const bool difficult = absl::StripAsciiWhitespace(object.child_value("difficult")) == "1";
      std::vector<float>& target =
          difficult && !options.keep_difficult ? image.ignore_boxes : image.boxes;
      target.insert(
          target.end(),
          {static_cast<float>(std::max(x1, 0.0)), static_cast<float>(std::max(y1, 0.0)),
           static_cast<float>(std::min(x2, width)), static_cast<float>(std::min(y2, height))});
      if (&target == &image.boxes) image.labels.push_back(label->second);
    }
    dataset->images_.push_back(std::move(image));
  }
  dataset->info_ = VocInfo(options, nullptr);
  dataset->options_ = std::move(options);
  return dataset;
}

absl::StatusOr<Sample> VocDetectionDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("voc_detection: index ", index, " not in [0, ", Size(), ")"));
  }
  const Image& image = images_[static_cast<size_t>(index)];
  const fs::path path = ImagePath(options_, image.id);
  Sample sample;
  sample.image_id = index;
  sample.source = path.string();
  absl::StatusOr<at::Tensor> rgb = ReadRgbImage(path);
  if (!rgb.ok()) return Annotate(rgb.status(), absl::StrCat("VOC image ", image.id));
  sample.image = *std::move(rgb);
  if (sample.image.size(0) != image.height || sample.image.size(1) != image.width) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": image is ", sample.image.size(1), "x", sample.image.size(0),
                     " but Annotations/", image.id, ".xml says ", image.width, "x", image.height));
  }
  sample.boxes = Boxes(image.boxes);
  sample.labels = at::tensor(image.labels, at::kLong);
  sample.ignore_boxes = Boxes(image.ignore_boxes);
  return sample;
}

absl::StatusOr<std::shared_ptr<VocSegmentationDataset>> VocSegmentationDataset::Create(
    VocOptions options) {
  const int64_t num_mask_classes =
      static_cast<int64_t>(options.classes.size()) + (options.background ? 1 : 0);
  STLAB_ASSIGN_OR_RETURN(LabelValues values,
                         LabelValues::Create(num_mask_classes, options.ignore_index));
  std::shared_ptr<VocSegmentationDataset> dataset(new VocSegmentationDataset(std::move(values)));
  STLAB_ASSIGN_OR_RETURN(dataset->ids_, ReadSplit(options, false));
  dataset->info_ = VocInfo(options, &dataset->values_);
  dataset->options_ = std::move(options);
  return dataset;
}

absl::StatusOr<Sample> VocSegmentationDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("voc_segmentation: index ", index, " not in [0, ", Size(), ")"));
  }
  const std::string& id = ids_[static_cast<size_t>(index)];
  const fs::path path = ImagePath(options_, id);
  Sample sample;
  sample.image_id = index;
  sample.source = path.string();
  absl::StatusOr<at::Tensor> rgb = ReadRgbImage(path);
  if (!rgb.ok()) return Annotate(rgb.status(), absl::StrCat("VOC image ", id));
  sample.image = *std::move(rgb);
  const fs::path mask_path = options_.root / "SegmentationClass" / (id + ".png");
  absl::StatusOr<at::Tensor> mask = ReadVocMask(mask_path, values_);
  if (!mask.ok()) return Annotate(mask.status(), absl::StrCat("VOC mask ", id));
  sample.mask = *std::move(mask);
  if (!sample.mask.sizes().equals(sample.image.sizes().slice(0, 2))) {
    return absl::InvalidArgumentError(absl::StrCat(
        mask_path.string(), ": mask is ", sample.mask.size(1), "x", sample.mask.size(0),
        " but the image is ", sample.image.size(1), "x", sample.image.size(0)));
  }
  sample.boxes = NoBoxes();
  sample.labels = at::empty({0}, at::kLong);
  sample.ignore_boxes = NoBoxes();
  return sample;
}

}  // namespace stlab::datasets
