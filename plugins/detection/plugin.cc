// The detection plugin: detection head "retinanet".
#include "plugins/detection/registration.h"
#include "registry/plugin_api.h"

STLAB_PLUGIN("detection", "0.1.0", stlab::detection::RegisterDetection)
