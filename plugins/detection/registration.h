// Registration of the detection plugin's components, separate from plugin.cc so that
// tests can build them through a Registries set exactly as the plugin does.
#ifndef STLAB_PLUGINS_DETECTION_REGISTRATION_H_
#define STLAB_PLUGINS_DETECTION_REGISTRATION_H_

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::detection {

/// Adds detection head "retinanet" to `registries`.
absl::Status RegisterDetection(Registries& registries);

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_REGISTRATION_H_
