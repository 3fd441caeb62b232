// The models plugin: backbones "resnet" and "efficientnet", neck "fpn".
#include "plugins/models/registration.h"
#include "registry/plugin_api.h"

STLAB_PLUGIN("models", "0.1.0", stlab::models::RegisterModels)
