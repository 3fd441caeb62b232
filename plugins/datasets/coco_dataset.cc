// The `coco` dataset (see coco_dataset.h).
#include "plugins/datasets/coco_dataset.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/logging.h"
#include "core/status.h"
#include "opencv2/core.hpp"
#include "plugins/datasets/coco_mask.h"
#include "plugins/datasets/image_io.h"
#include "plugins/datasets/resolve_path.h"

namespace stlab::datasets {
namespace {

constexpr double kBoxTolerance = 1.0;  // Pixels a box may overshoot the image (then clipped).
constexpr size_t kMaxMaskClasses = kIgnoreLabel - 1;  // Class k is k + 1 in a uint8 mask.

std::string FormatBox(const std::array<double, 4>& b) {
  return absl::StrCat("[", b[0], ", ", b[1], ", ", b[2], ", ", b[3], "]");
}

at::Tensor BoxTensor(const std::vector<std::array<float, 4>>& boxes) {
  at::Tensor out = at::empty({static_cast<int64_t>(boxes.size()), 4}, at::kFloat);
  float* data = out.data_ptr<float>();
  for (const std::array<float, 4>& box : boxes) data = std::copy(box.begin(), box.end(), data);
  return out;
}

void PaintSegmentation(const CocoSegmentation& segmentation, uint8_t value, cv::Mat& mask) {
  if (const auto* polygons = std::get_if<std::vector<CocoPolygon>>(&segmentation)) {
    PaintPolygons(*polygons, value, mask);
  } else if (const auto* rle = std::get_if<CocoRle>(&segmentation)) {
    PaintRle(*rle, value, mask);
  }
}

}  // namespace

ParamSpecs CocoParams() {
  return {
      ParamSpec::Required("annotations", ParamType::kString,
                          "COCO instances JSON (plain or gzip), relative to the config's folder"),
      ParamSpec::Required("images", ParamType::kString,
                          "folder the images' file_name is relative to (itself relative to the "
                          "config's folder)"),
      ParamSpec::Bool("masks", false,
                      "also build a class mask from the segmentations (0 = background, class "
                      "k -> k + 1, 255 = crowd)"),
      ParamSpec::Bool("skip_images_without_annotations", false,
                      "leave out images without a (non-crowd) box"),
  };
}

CocoOptions CocoOptionsFromParams(const Params& params, const std::filesystem::path& base_dir) {
  CocoOptions options;
  options.annotations = ResolvePath(base_dir, params.GetString("annotations"));
  options.images = ResolvePath(base_dir, params.GetString("images"));
  options.masks = params.GetBool("masks");
  options.skip_images_without_annotations = params.GetBool("skip_images_without_annotations");
  return options;
}

absl::StatusOr<std::shared_ptr<CocoDataset>> CocoDataset::Create(CocoOptions options) {
  std::shared_ptr<CocoDataset> dataset(new CocoDataset());
  STLAB_ASSIGN_OR_RETURN(dataset->instances_,
                         ReadCocoInstances(options.annotations, options.masks));
  const CocoInstances& coco = dataset->instances_;
  const std::string file = options.annotations.string();
  DatasetInfo& info = dataset->info_;
  info.has_boxes = true;
  info.has_masks = options.masks;

  std::unordered_map<int64_t, int64_t> label_of;
  for (const CocoCategoryEntry& category : coco.categories) {
    if (!label_of.emplace(category.id, static_cast<int64_t>(label_of.size())).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": duplicate category id ", category.id));
    }
    info.class_names.push_back(category.name);
    info.category_ids.push_back(category.id);
  }
  if (options.masks && coco.categories.size() > kMaxMaskClasses) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", coco.categories.size(),
                                                   " categories do not fit a uint8 mask (at most ",
                                                   kMaxMaskClasses, "); set masks = false"));
  }
  if (options.masks) {
    info.mask_class_names.push_back("background");
    info.mask_class_names.insert(info.mask_class_names.end(), info.class_names.begin(),
                                 info.class_names.end());
  }
  std::unordered_map<int64_t, size_t> image_of;
  std::vector<Image> images(coco.images.size());
  for (size_t i = 0; i < coco.images.size(); ++i) {
    if (!image_of.emplace(coco.images[i].id, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": images[", i, "]: duplicate image id ", coco.images[i].id));
    }
    images[i].entry = i;
  }

  int64_t skipped = 0;
  for (size_t j = 0; j < coco.annotations.size(); ++j) {
    const CocoAnnotationEntry& ann = coco.annotations[j];
    const std::string where =
        absl::StrCat(file, ": annotation id ", ann.id, " (image id ", ann.image_id, ")");
    const auto image = image_of.find(ann.image_id);
    if (image == image_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": image id ", ann.image_id, " is not in \"images\""));
    }
    const auto label = label_of.find(ann.category_id);
    if (label == label_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": category id ", ann.category_id, " is not in \"categories\""));
    }
    const CocoImageEntry& entry = coco.images[image->second];
    const auto width = static_cast<double>(entry.width);
    const auto height = static_cast<double>(entry.height);
    const std::array<double, 4>& b = ann.bbox;
    const std::string image_size = absl::StrCat(entry.width, "x", entry.height, " image");
    if (b[2] < 0 || b[3] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": bbox ", FormatBox(b), " has a negative width or height"));
    }
    if (b[2] == 0 || b[3] == 0) {
      LogWarning(absl::StrCat(where, ": bbox ", FormatBox(b),
                              " has zero width or height; annotation skipped"));
      ++skipped;
      continue;
    }
    const double x2 = b[0] + b[2];
    const double y2 = b[1] + b[3];
    if (b[0] >= width || b[1] >= height || x2 <= 0 || y2 <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": bbox ", FormatBox(b), " lies outside the ", image_size));
    }
    if (b[0] < -kBoxTolerance || b[1] < -kBoxTolerance || x2 > width + kBoxTolerance ||
        y2 > height + kBoxTolerance) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": bbox ", FormatBox(b),
                                                     " extends more than ", kBoxTolerance,
                                                     " px outside the ", image_size));
    }
    if (options.masks) {
      if (std::holds_alternative<std::monostate>(ann.segmentation)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": no segmentation (needed for masks = true)"));
      }
      const auto* rle = std::get_if<CocoRle>(&ann.segmentation);
      if (rle != nullptr && (rle->height != entry.height || rle->width != entry.width)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": RLE size [", rle->height, ", ",
                                                       rle->width, "] is not the ", image_size,
                                                       "'s [height, width]"));
      }
    }
    Instance instance;
    instance.box = {
        static_cast<float>(std::max(b[0], 0.0)), static_cast<float>(std::max(b[1], 0.0)),
        static_cast<float>(std::min(x2, width)), static_cast<float>(std::min(y2, height))};
    instance.label = label->second;
    instance.annotation = j;
    Image& target = images[image->second];
    (ann.iscrowd ? target.crowds : target.objects).push_back(instance);
  }
  if (skipped > 0) {
    LogWarning(absl::StrCat(file, ": skipped ", skipped,
                            " annotations with a zero-width or zero-height box"));
  }
  if (options.skip_images_without_annotations) {
    const size_t before = images.size();
    std::erase_if(images, [](const Image& image) { return image.objects.empty(); });
    LogInfo(absl::StrCat(file, ": left out ", before - images.size(), " of ", before,
                         " images without a (non-crowd) box"));
  }
  dataset->images_ = std::move(images);
  dataset->options_ = std::move(options);
  return dataset;
}

absl::StatusOr<Sample> CocoDataset::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(absl::StrCat("coco: index ", index, " not in [0, ", Size(), ")"));
  }
  const Image& image = images_[static_cast<size_t>(index)];
  const CocoImageEntry& entry = instances_.images[image.entry];
  const std::filesystem::path path = options_.images / entry.file_name;
  Sample sample;
  sample.image_id = entry.id;
  sample.source = path.string();
  absl::StatusOr<at::Tensor> rgb = ReadRgbImage(path);
  if (!rgb.ok()) return Annotate(rgb.status(), absl::StrCat("coco image id ", entry.id));
  sample.image = *std::move(rgb);
  if (sample.image.size(0) != entry.height || sample.image.size(1) != entry.width) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": image is ", sample.image.size(1), "x", sample.image.size(0),
                     " but ", options_.annotations.string(), " says ", entry.width, "x",
                     entry.height, " (image id ", entry.id, ")"));
  }

  std::vector<std::array<float, 4>> boxes;
  std::vector<int64_t> labels;
  for (const Instance& object : image.objects) {
    boxes.push_back(object.box);
    labels.push_back(object.label);
  }
  sample.boxes = BoxTensor(boxes);
  sample.labels = at::tensor(labels, at::kLong);
  boxes.clear();
  for (const Instance& crowd : image.crowds) boxes.push_back(crowd.box);
  sample.ignore_boxes = BoxTensor(boxes);

  if (options_.masks) {
    sample.mask = at::zeros({entry.height, entry.width}, at::kByte);
    cv::Mat mask(static_cast<int>(entry.height), static_cast<int>(entry.width), CV_8U,
                 sample.mask.data_ptr());
    for (const Instance& crowd : image.crowds) {
      PaintSegmentation(instances_.annotations[crowd.annotation].segmentation, kIgnoreLabel, mask);
    }
    std::vector<const Instance*> order;
    for (const Instance& object : image.objects) order.push_back(&object);
    std::stable_sort(order.begin(), order.end(), [this](const Instance* a, const Instance* b) {
      return instances_.annotations[a->annotation].area >
             instances_.annotations[b->annotation].area;
    });
    for (const Instance* object : order) {
      PaintSegmentation(instances_.annotations[object->annotation].segmentation,
                        static_cast<uint8_t>(object->label + 1), mask);
    }
  }
  return sample;
}

}  // namespace stlab::datasets
