// The plugin ABI: every plugin library exports one entry point returning a plain
// descriptor (after LLVM's PassPluginLibraryInfo and GStreamer's GST_PLUGIN_DEFINE).
// The loader checks each field before it runs the registration callback.
//
// A plugin source file ends with:
//
//   absl::Status RegisterMyComponents(stlab::Registries& registries) {
//     STLAB_RETURN_IF_ERROR(registries.augmentations().Add({...}, factory));
//     return absl::OkStatus();
//   }
//   STLAB_PLUGIN("my_plugin", "1.0.0", RegisterMyComponents)
#ifndef STLAB_REGISTRY_PLUGIN_API_H_
#define STLAB_REGISTRY_PLUGIN_API_H_

#include <cstdint>

#include "absl/status/status.h"
#include "boost/dll/alias.hpp"
#include "registry/registries.h"
#include "core/version.h"
#include "torch/version.h"

namespace stlab {

/// Bumped whenever a core interface, Registries or this descriptor changes in a
/// way that breaks compiled plugins (2: Sample::label_scores and soft_mask,
/// SegmentationHead::Loss with soft targets; 3: the descriptor's stlab_version and
/// reserved fields, ParamSpec::FileName).
inline constexpr uint32_t kPluginApiVersion = 3;

/// Name of the exported entry point, a function `const PluginDescriptor* ()`.
inline constexpr const char kPluginEntryPoint[] = "stlab_plugin_descriptor";

/// True when this translation unit is built with CUDA support.
#ifdef STLAB_WITH_CUDA
inline constexpr int kBuiltWithCuda = 1;
#else
inline constexpr int kBuiltWithCuda = 0;
#endif

/// What a plugin says about itself. Plain data so that the loader can read it
/// before trusting anything else in the library.
struct PluginDescriptor {
  uint32_t api_version;        ///< kPluginApiVersion the plugin was built against.
  const char* name;            ///< Plugin name, e.g. "augment".
  const char* version;         ///< Plugin version string.
  const char* torch_version;   ///< TORCH_VERSION the plugin was built against.
  int cxx11_abi;               ///< _GLIBCXX_USE_CXX11_ABI of the build.
  int cuda;                    ///< 1 if built with CUDA kernels.
  /// Registers the plugin's components. May fail (Status) or throw; either way
  /// nothing it registered is kept.
  absl::Status (*register_components)(Registries& registries);
  const char* stlab_version;   ///< kStlabVersion of the headers it was built against.
  /// Room for fields a later API version adds without moving these; null today.
  const void* reserved[6];
};

using PluginEntryPoint = const PluginDescriptor*();

}  // namespace stlab

/// Defines the plugin's exported entry point. Use once per plugin library.
#define STLAB_PLUGIN(plugin_name, plugin_version, register_fn)                       \
  namespace {                                                                        \
  const ::stlab::PluginDescriptor* StlabPluginDescriptorImpl() {                     \
    static const ::stlab::PluginDescriptor descriptor = {                            \
        ::stlab::kPluginApiVersion, plugin_name,        plugin_version, TORCH_VERSION, \
        _GLIBCXX_USE_CXX11_ABI,     ::stlab::kBuiltWithCuda, &register_fn,           \
        ::stlab::kStlabVersion,     {}};                                             \
    return &descriptor;                                                              \
  }                                                                                  \
  }                                                                                  \
  BOOST_DLL_ALIAS(StlabPluginDescriptorImpl, stlab_plugin_descriptor)

#endif  // STLAB_REGISTRY_PLUGIN_API_H_
