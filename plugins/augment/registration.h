// Registration of the augment plugin's components, in the ops library so that unit
// tests can register them into their own Registries.
#ifndef STLAB_PLUGINS_AUGMENT_REGISTRATION_H_
#define STLAB_PLUGINS_AUGMENT_REGISTRATION_H_

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::augment {

/// Registers augmentations "horizontal_flip", "resize", "random_scale_crop",
/// "color_jitter", "autoaugment" and "randaugment".
absl::Status RegisterAugmentations(Registries& registries);

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_REGISTRATION_H_
