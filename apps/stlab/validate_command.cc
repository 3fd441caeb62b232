// `stlab validate CONFIG...`: load, merge, override, validate; print the resolved
// config, or every error with its file, line and key.
#include <iostream>

#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "core/config/validated_config.h"
#include "registry/registries.h"

namespace stlab::cli {
namespace {

int RunValidate(const Invocation& invocation) {
  const std::vector<std::string>& args = invocation.args;
  if (args.empty()) return UsageError(invocation, "no CONFIG given");
  int exit_code = 0;
  for (const std::string& file : args) {
    Registries registries;
    absl::StatusOr<ValidatedConfig> config = LoadConfig(file, invocation.common, registries);
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

}  // namespace

STLAB_COMMAND({"validate", "CONFIG...",
               "check configs and print each fully resolved (every error with file, line and "
               "key)",
               {},
               RunValidate});

}  // namespace stlab::cli
