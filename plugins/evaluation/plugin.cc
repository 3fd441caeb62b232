// The evaluation plugin: metrics.
#include <memory>

#include "plugins/evaluation/coco_bbox_evaluator.h"
#include "plugins/evaluation/miou_evaluator.h"
#include "registry/plugin_api.h"

namespace stlab::evaluation {
namespace {

absl::Status Register(Registries& registries) {
  STLAB_RETURN_IF_ERROR(registries.evaluators().Add(
      {"coco_bbox", "COCO box AP/AR (the 12 statistics, identical to pycocotools')", {}},
      [](const Params&, const DatasetInfo& info) -> absl::StatusOr<std::shared_ptr<Evaluator>> {
        if (info.category_ids.size() != info.class_names.size() || info.class_names.empty()) {
          return absl::InvalidArgumentError(
              "coco_bbox needs a dataset with class names and one category id per class");
        }
        return std::make_shared<CocoBboxEvaluator>(info);
      }));
  return registries.evaluators().Add(
      {"miou", "Mean and per-class IoU and pixel accuracy from a confusion matrix", {}},
      [](const Params&, const DatasetInfo& info) -> absl::StatusOr<std::shared_ptr<Evaluator>> {
        if (!info.has_masks || info.mask_class_names.empty()) {
          return absl::InvalidArgumentError(
              "miou needs a dataset with masks and the names of their values");
        }
        return std::make_shared<MeanIouEvaluator>(info.mask_class_names);
      });
}

}  // namespace
}  // namespace stlab::evaluation

STLAB_PLUGIN("evaluation", "0.1.0", stlab::evaluation::Register)
