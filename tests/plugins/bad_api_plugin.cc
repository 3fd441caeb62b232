// Test plugin: a descriptor from a future plugin API.
#include "registry/plugin_api.h"

namespace {

absl::Status Register(stlab::Registries&) { return absl::OkStatus(); }

const stlab::PluginDescriptor* Describe() {
  static const stlab::PluginDescriptor d = {stlab::kPluginApiVersion + 41, "test_bad_api", "1.0",
                                            TORCH_VERSION, _GLIBCXX_USE_CXX11_ABI, 0, &Register, stlab::kStlabVersion, {}};
  return &d;
}

}  // namespace

BOOST_DLL_ALIAS(Describe, stlab_plugin_descriptor)
