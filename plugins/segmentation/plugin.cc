// The segmentation plugin: segmentation head "semantic_fpn".
#include "plugins/segmentation/registration.h"
#include "registry/plugin_api.h"

STLAB_PLUGIN("segmentation", "0.1.0", stlab::segmentation::RegisterSegmentation)
