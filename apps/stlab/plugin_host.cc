// Plugin loading for the CLI.
#include "apps/stlab/plugin_host.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/logging.h"
#include "registry/plugin_loader.h"

namespace stlab::cli {

absl::Status LoadPlugins(Registries& registries, const std::vector<std::filesystem::path>& extra) {
  PluginLoader loader(registries);
  std::vector<std::string> failures;
  // STLAB_PLUGIN_PATH entries that name nothing loadable are skipped, loudly: a
  // typo there would otherwise surface as an "unknown component" much later.
  for (const std::filesystem::path& entry : PluginPathFromEnvironment()) {
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::status(entry, error);
    if (std::filesystem::is_directory(status)) {
      if (absl::Status s = loader.LoadFolders({entry}, true); !s.ok()) failures.emplace_back(s.message());
    } else if (std::filesystem::is_regular_file(status) && entry.extension() == ".so") {
      if (absl::Status s = loader.Load(entry); !s.ok()) failures.emplace_back(s.message());
    } else {
      LogWarning(absl::StrCat(kPluginPathEnv, " entry '", entry.string(), "' ",
                              std::filesystem::exists(status)
                                  ? "is neither a folder nor a .so library"
                                  : "does not exist",
                              "; ignored"));
    }
  }
  const std::filesystem::path installed = InstalledPluginFolder();
  if (!installed.empty()) {
    if (absl::Status s = loader.LoadFolders({installed}, /*must_exist=*/false); !s.ok()) {
      failures.emplace_back(s.message());
    }
  }
  for (const std::filesystem::path& path : extra) {
    absl::Status s = std::filesystem::is_directory(path) ? loader.LoadFolders({path}, true)
                                                         : loader.Load(path);
    if (!s.ok()) failures.emplace_back(s.message());
  }
  if (failures.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(failures, "\n"));
}

absl::StatusOr<ValidatedConfig> LoadConfig(const std::string& file, const CommonOptions& options,
                                           Registries& registries) {
  absl::StatusOr<ConfigDocument> document = ConfigDocument::Load(file, options.overrides);
  if (!document.ok()) return document.status();
  std::vector<std::filesystem::path> plugin_paths = options.plugin_paths;
  const std::vector<std::filesystem::path> declared = document->PluginPaths();
  for (const auto& p : declared) plugin_paths.push_back(p);
  if (absl::Status s = LoadPlugins(registries, plugin_paths); !s.ok()) {
    // Name where each failing entry of `plugins` was declared: a base file's, maybe.
    std::string where;
    const std::vector<std::string> origins = document->PluginPathOrigins();
    for (size_t i = 0; i < declared.size() && i < origins.size(); ++i) {
      if (absl::StrContains(s.message(), absl::StrCat("'", declared[i].string(), "'"))) {
        absl::StrAppend(&where, "\n", origins[i], ": plugins: '", declared[i].string(),
                        "' is declared here");
      }
    }
    return absl::FailedPreconditionError(
        absl::StrCat(file, ": plugin loading failed:\n", s.message(), where));
  }
  return ValidateConfig(*document, ExperimentSchema(), registries);
}

}  // namespace stlab::cli
