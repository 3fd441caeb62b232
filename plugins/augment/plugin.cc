// The augment plugin: registers the augmentation operations.
#include "plugins/augment/registration.h"
#include "registry/plugin_api.h"

STLAB_PLUGIN("augment", "0.1.0", stlab::augment::RegisterAugmentations)
