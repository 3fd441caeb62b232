// Loads the plugins a command needs: default folders, --plugin_path, and the
// config's `plugins` list.
#ifndef STLAB_APPS_STLAB_PLUGIN_HOST_H_
#define STLAB_APPS_STLAB_PLUGIN_HOST_H_

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "registry/registries.h"

namespace stlab::cli {

/// Loads plugins into `registries` from DefaultPluginFolders() (skipped when
/// absent), then `extra` folders or library files (which must exist). Returns every
/// failure at once.
absl::Status LoadPlugins(Registries& registries, const std::vector<std::filesystem::path>& extra);

}  // namespace stlab::cli

#endif  // STLAB_APPS_STLAB_PLUGIN_HOST_H_
