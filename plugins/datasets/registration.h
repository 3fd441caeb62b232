// Registration of the datasets plugin's components, in the ops library so that unit
// tests can register them into their own Registries.
#ifndef STLAB_PLUGINS_DATASETS_REGISTRATION_H_
#define STLAB_PLUGINS_DATASETS_REGISTRATION_H_

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::datasets {

/// Registers datasets "synthetic_shapes", "synthetic_shapes_classification", "coco",
/// "voc_detection", "voc_segmentation" and "image_folder".
absl::Status RegisterDatasets(Registries& registries);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_REGISTRATION_H_
