// Loads plugin libraries into a Registries set, checking each library's descriptor.
#ifndef STLAB_REGISTRY_PLUGIN_LOADER_H_
#define STLAB_REGISTRY_PLUGIN_LOADER_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

/// Environment variable holding extra plugin folders, ':'-separated.
inline constexpr const char kPluginPathEnv[] = "STLAB_PLUGIN_PATH";

/// Loads plugins into `registries`. Each failure has its own message:
///   NotFound           - the file does not exist;
///   InvalidArgument    - not a loadable shared library (with the loader's reason),
///                        or one cut short (checked before it is mapped: a
///                        truncated library would otherwise raise SIGBUS);
///   FailedPrecondition - no entry point, plugin API version mismatch, LibTorch
///                        version / C++ ABI / CUDA mismatch;
///   (registration's own code) - the registration callback failed or threw; nothing
///                        it registered is kept.
/// A failed plugin never takes the host down. Loaded libraries are never unloaded:
/// objects they created may outlive the loader.
class STLAB_API PluginLoader {
 public:
  explicit PluginLoader(Registries& registries) : registries_(registries) {}

  /// Loads one library. Loading a successfully loaded file again is a no-op; a
  /// file that failed fails again with the same error.
  absl::Status Load(const std::filesystem::path& library);

  /// Loads every `*.so` in each folder (not recursive, in name order). Folders that
  /// do not exist are an error when `must_exist`, else skipped. Keeps going after a
  /// failure and returns all failures in one Status.
  absl::Status LoadFolders(const std::vector<std::filesystem::path>& folders, bool must_exist);

 private:
  Registries& registries_;
  std::set<std::filesystem::path> loaded_;  // Canonical paths adopted so far.
};

/// The entries of STLAB_PLUGIN_PATH (folders or library files), in order.
STLAB_API std::vector<std::filesystem::path> PluginPathFromEnvironment();

/// The folder beside the running executable (`<prefix>/bin/stlab` ->
/// `<prefix>/lib/stlab/plugins`), which both the build tree and an install use.
STLAB_API std::filesystem::path InstalledPluginFolder();

/// Plugin folders from the environment (STLAB_PLUGIN_PATH) followed by the default
/// folder beside the running executable (`<prefix>/bin/stlab` ->
/// `<prefix>/lib/stlab/plugins`), which both the build tree and an install use.
STLAB_API std::vector<std::filesystem::path> DefaultPluginFolders();

}  // namespace stlab

#endif  // STLAB_REGISTRY_PLUGIN_LOADER_H_
