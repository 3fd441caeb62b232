// The datasets plugin's declarations and factories.
#include "plugins/datasets/registration.h"

#include <memory>

#include "core/dataset.h"
#include "core/status.h"
#include "plugins/datasets/coco_dataset.h"
#include "plugins/datasets/image_folder.h"
#include "plugins/datasets/segmentation_folder.h"
#include "plugins/datasets/synthetic_shapes.h"
#include "plugins/datasets/voc.h"

namespace stlab::datasets {
namespace {

using DatasetOr = absl::StatusOr<std::shared_ptr<Dataset>>;

Registry<Dataset, DatasetContext>::Factory SyntheticShapesFactory(bool classification) {
  return
      [classification](const Params& p,
                       const DatasetContext& context) -> absl::StatusOr<std::shared_ptr<Dataset>> {
        STLAB_ASSIGN_OR_RETURN(SyntheticShapesOptions options,
                               SyntheticShapesOptionsFromParams(p, classification));
        return std::make_shared<SyntheticShapesDataset>(std::move(options), context.seed);
      };
}

}  // namespace

absl::Status RegisterDatasets(Registries& registries) {
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"synthetic_shapes",
       "Generated images of occluding textured shapes on cluttered backgrounds, with boxes and "
       "masks (0 = background, class k -> k + 1, 255 = ignore)",
       SyntheticShapesParams()},
      SyntheticShapesFactory(false)));
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"synthetic_shapes_classification",
       "One centred synthetic shape per image on a cluttered background; label = its class",
       SyntheticShapesClassificationParams()},
      SyntheticShapesFactory(true)));
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"coco",
       "COCO instances JSON + image folder: boxes, crowd ignore boxes, optional class masks "
       "(categories remapped to contiguous classes in file order)",
       CocoParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        return CocoDataset::Create(CocoOptionsFromParams(p, context.base_dir));
      }));
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"voc_detection",
       "PASCAL VOC layout boxes from Annotations/*.xml, of the 20 VOC classes or a class list "
       "of your own; difficult objects are ignore_boxes",
       VocDetectionParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        STLAB_ASSIGN_OR_RETURN(VocOptions options, VocOptionsFromParams(p, context.base_dir, true));
        return VocDetectionDataset::Create(std::move(options));
      }));
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"voc_segmentation",
       "PASCAL VOC layout class masks from SegmentationClass/*.png (by default the 20 VOC "
       "classes: 0 = background, class k -> k + 1, 255 = ignore)",
       VocSegmentationParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        STLAB_ASSIGN_OR_RETURN(VocOptions options,
                               VocOptionsFromParams(p, context.base_dir, false));
        return VocSegmentationDataset::Create(std::move(options));
      }));
  STLAB_RETURN_IF_ERROR(registries.datasets().Add(
      {"segmentation_folder",
       "Images and label maps (8-bit grey PNGs of class values) in two folders, matched by "
       "file name, with a class list and an ignore_index (CamVid, Cityscapes train IDs, ADE20K)",
       SegmentationFolderParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        STLAB_ASSIGN_OR_RETURN(SegmentationFolderOptions options,
                               SegmentationFolderOptionsFromParams(p, context.base_dir));
        return SegmentationFolderDataset::Create(std::move(options));
      }));
  return registries.datasets().Add(
      {"image_folder",
       "The .jpg/.jpeg/.png images under a folder, in byte order of their relative paths; "
       "unlabeled, or labeled by their first-level folder (labels = \"subfolder\")",
       ImageFolderParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        return ImageFolderDataset::Create(ImageFolderOptionsFromParams(p, context.base_dir));
      });
}

}  // namespace stlab::datasets
