// Loads the plugins a command needs: default folders, --plugin_path, and the
// config's `plugins` list.
#ifndef STLAB_APPS_STLAB_PLUGIN_HOST_H_
#define STLAB_APPS_STLAB_PLUGIN_HOST_H_

#include <filesystem>
#include <vector>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "apps/stlab/command.h"
#include "core/config/validated_config.h"
#include "registry/registries.h"

namespace stlab::cli {

/// Loads plugins into `registries` from the STLAB_PLUGIN_PATH entries (folders or
/// libraries; one naming nothing loadable is a warning), the installed plugin
/// folder (skipped when absent), then `extra` folders or library files (which
/// must exist). Returns every failure at once.
absl::Status LoadPlugins(Registries& registries, const std::vector<std::filesystem::path>& extra);

/// Loads `file` with the command's --set overrides, loads the plugins it and the
/// command line name into `registries`, and validates it: what every command that
/// runs a config starts with. Errors carry file, line and key.
absl::StatusOr<ValidatedConfig> LoadConfig(const std::string& file, const CommonOptions& options,
                                           Registries& registries);

}  // namespace stlab::cli

#endif  // STLAB_APPS_STLAB_PLUGIN_HOST_H_
