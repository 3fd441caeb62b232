// Plugin loading for the CLI.
#include "apps/stlab/plugin_host.h"

#include <string>

#include "absl/strings/str_join.h"
#include "registry/plugin_loader.h"

namespace stlab::cli {

absl::Status LoadPlugins(Registries& registries, const std::vector<std::filesystem::path>& extra) {
  PluginLoader loader(registries);
  std::vector<std::string> failures;
  if (absl::Status s = loader.LoadFolders(DefaultPluginFolders(), /*must_exist=*/false); !s.ok()) {
    failures.emplace_back(s.message());
  }
  for (const std::filesystem::path& path : extra) {
    absl::Status s = std::filesystem::is_directory(path) ? loader.LoadFolders({path}, true)
                                                         : loader.Load(path);
    if (!s.ok()) failures.emplace_back(s.message());
  }
  if (failures.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(failures, "\n"));
}

}  // namespace stlab::cli
