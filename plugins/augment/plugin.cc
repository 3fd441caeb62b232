// The augment plugin: registers the augmentation operations.
#include <memory>

#include "plugins/augment/horizontal_flip.h"
#include "registry/plugin_api.h"

namespace stlab::augment {
namespace {

absl::Status Register(Registries& registries) {
  return registries.augmentations().Add(
      {"horizontal_flip",
       "Mirrors image, boxes and mask left-right",
       {ParamSpec::Float("probability", 0.5, "chance that a sample is flipped").Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<Augmentation>> {
        return std::make_shared<HorizontalFlip>(p.GetFloat("probability"));
      });
}

}  // namespace
}  // namespace stlab::augment

STLAB_PLUGIN("augment", "0.1.0", stlab::augment::Register)
