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
    Registries registries;
    absl::StatusOr<ValidatedConfig> config = LoadConfig(file, options, registries);
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
