// The datasets plugin: the synthetic shapes and the COCO, PASCAL VOC, segmentation-folder
// and image-folder file datasets.
#include "plugins/datasets/registration.h"
#include "registry/plugin_api.h"

STLAB_PLUGIN("datasets", "0.1.0", stlab::datasets::RegisterDatasets)
