// The datasets plugin's declarations and factories.
#include "plugins/datasets/registration.h"

#include <memory>

#include "core/dataset.h"
#include "core/status.h"
#include "plugins/datasets/coco_dataset.h"
#include "plugins/datasets/synthetic_shapes.h"

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
  return registries.datasets().Add(
      {"coco",
       "COCO instances JSON + image folder: boxes, crowd ignore boxes, optional class masks "
       "(categories remapped to contiguous classes in file order)",
       CocoParams()},
      [](const Params& p, const DatasetContext& context) -> DatasetOr {
        return CocoDataset::Create(CocoOptionsFromParams(p, context.base_dir));
      });
}

}  // namespace stlab::datasets
