// Registration of the segmentation plugin's components, separate from plugin.cc so
// that tests can build them through a Registries set exactly as the plugin does.
#ifndef STLAB_PLUGINS_SEGMENTATION_REGISTRATION_H_
#define STLAB_PLUGINS_SEGMENTATION_REGISTRATION_H_

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::segmentation {

/// Adds segmentation head "semantic_fpn" to `registries`.
absl::Status RegisterSegmentation(Registries& registries);

}  // namespace stlab::segmentation

#endif  // STLAB_PLUGINS_SEGMENTATION_REGISTRATION_H_
