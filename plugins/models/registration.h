// Registration of the models plugin's components, separate from plugin.cc so that
// tests can build them through a Registries set exactly as the plugin does.
#ifndef STLAB_PLUGINS_MODELS_REGISTRATION_H_
#define STLAB_PLUGINS_MODELS_REGISTRATION_H_

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::models {

/// Adds backbones "resnet" and "efficientnet" and neck "fpn" to `registries`.
absl::Status RegisterModels(Registries& registries);

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_REGISTRATION_H_
