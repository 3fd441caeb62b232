// Test plugin: claims to be built against another LibTorch.
#include "registry/plugin_api.h"

namespace {

absl::Status Register(stlab::Registries&) { return absl::OkStatus(); }

const stlab::PluginDescriptor* Describe() {
  static const stlab::PluginDescriptor d = {stlab::kPluginApiVersion, "test_old_torch", "1.0",
                                            "1.13.0", 0, 0, &Register, stlab::kStlabVersion, {}};
  return &d;
}

}  // namespace

BOOST_DLL_ALIAS(Describe, stlab_plugin_descriptor)
