// `stlab validate CONFIG...`: load, merge, override, validate; print the resolved
// config, or every error with its file, line and key.
#include <iostream>

#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "core/config/validated_config.h"
#include "registry/registries.h"

namespace stlab::cli {

int RunValidateCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  if (args.empty()) {
    std::cerr << "usage: stlab validate CONFIG... [--set key=value]...\n";
    return 2;
  }
  int exit_code = 0;
  for (const std::string& file : args) {
    absl::StatusOr<ConfigDocument> document = ConfigDocument::Load(file, options.overrides);
    if (!document.ok()) {
      std::cerr << document.status().message() << "\n";
      exit_code = 1;
      continue;
    }
    Registries registries;
    std::vector<std::filesystem::path> plugin_paths = options.plugin_paths;
    for (auto& p : document->PluginPaths()) plugin_paths.push_back(p);
    if (absl::Status s = LoadPlugins(registries, plugin_paths); !s.ok()) {
      std::cerr << file << ": plugin loading failed:\n" << s.message() << "\n";
      exit_code = 1;
      continue;
    }
    absl::StatusOr<ValidatedConfig> config =
        ValidateConfig(*document, ExperimentSchema(), registries);
    if (!config.ok()) {
      std::cerr << config.status().message() << "\n";
      exit_code = 1;
      continue;
    }
    if (args.size() > 1) std::cout << "# " << file << ": OK\n";
    std::cout << config->ToToml() << "\n";
  }
  return exit_code;
}

}  // namespace stlab::cli
