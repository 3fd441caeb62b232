// Parameter declarations and factory of segmentation head "semantic_fpn".
#include "plugins/segmentation/registration.h"

#include <memory>

#include "core/status.h"
#include "plugins/segmentation/semantic_fpn_head.h"
#include "registry/param.h"

namespace stlab::segmentation {

absl::Status RegisterSegmentation(Registries& registries) {
  return registries.segmentation_heads().Add(
      {"semantic_fpn",
       "Panoptic-FPN semantic branch: every pyramid level upsampled to the finest, summed, "
       "per-pixel classifier, bilinear upsampling to the input; cross-entropy ignoring 255",
       {ParamSpec::Int("channels", 128, "channels of the per-level stages").Min(1),
        ParamSpec::String("norm", "group_norm", "normalization after each conv")
            .OneOf({"none", "group_norm", "batch_norm"}),
        ParamSpec::Float("dropout", 0.0, "dropout before the classifier").Range(0.0, 0.99)}},
      [](const Params& p,
         const HeadContext& context) -> absl::StatusOr<std::shared_ptr<SegmentationHead>> {
        SemanticFpnHeadOptions options = SemanticFpnHeadOptions(context.inputs, context.num_classes)
                                             .channels(p.GetInt("channels"))
                                             .norm(p.GetString("norm"))
                                             .dropout(p.GetFloat("dropout"));
        STLAB_RETURN_IF_ERROR(CheckSemanticFpnHeadOptions(options));
        return std::shared_ptr<SegmentationHead>(SemanticFpnHead(std::move(options)).ptr());
      });
}

}  // namespace stlab::segmentation
