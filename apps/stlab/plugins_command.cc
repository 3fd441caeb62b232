// `stlab plugins`: what is registered, and each component's declared parameters.
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "registry/registries.h"

namespace stlab::cli {
namespace {

void PrintList(const Registries& registries) {
  std::cout << "Loaded plugins:\n";
  if (registries.loaded_plugins().empty()) std::cout << "  (none)\n";
  for (const PluginInfo& p : registries.loaded_plugins()) {
    std::cout << absl::StrFormat("  %-16s %-8s %s\n", p.name, p.version, p.path);
  }
  for (const RegistryBase* registry : registries.All()) {
    std::cout << "\n" << registry->kind() << ": " << registry->summary() << "\n";
    const auto components = registry->List();
    if (components.empty()) std::cout << "  (none registered)\n";
    for (const ComponentInfo* c : components) {
      std::cout << absl::StrFormat("  %-24s %s\n", c->name, c->description);
    }
  }
}

void PrintComponent(const RegistryBase& registry, const ComponentInfo& c) {
  std::cout << c.name << " (" << registry.kind() << ")\n  " << c.description
            << "\n  registered by " << c.origin << "\n\nParameters:\n";
  if (c.params.empty()) std::cout << "  (none)\n";
  for (const ParamSpec& p : c.params) {
    const std::string fallback =
        p.default_value() ? FormatParamValue(*p.default_value()) : std::string("(required)");
    std::cout << absl::StrFormat("  %-20s %-32s default %s\n      %s\n", p.name(),
                                 p.DescribeConstraint(), fallback, p.doc());
  }
}

int RunPlugins(const Invocation& invocation) {
  const std::vector<std::string>& args = invocation.args;
  Registries registries;
  absl::Status loaded = LoadPlugins(registries, invocation.common.plugin_paths);
  if (!loaded.ok()) std::cerr << "error: " << loaded.message() << "\n";
  if (args.empty()) {
    PrintList(registries);
    return loaded.ok() ? 0 : 1;
  }
  if (args[0] != "show" || args.size() != 2) {
    return UsageError(invocation, "expected nothing, or show NAME, or show KIND/NAME");
  }
  const std::string& query = args[1];
  if (const size_t slash = query.find('/'); slash != std::string::npos) {
    const RegistryBase* registry = registries.FindKind(query.substr(0, slash));
    if (registry == nullptr) {
      std::cerr << "error: unknown kind '" << query.substr(0, slash) << "'\n";
      return 1;
    }
    auto info = registry->Find(query.substr(slash + 1));
    if (!info.ok()) {
      std::cerr << "error: " << info.status().message() << "\n";
      return 1;
    }
    PrintComponent(*registry, **info);
    return loaded.ok() ? 0 : 1;
  }
  auto found = registries.FindAnyKind(query);
  if (!found.ok()) {
    std::cerr << "error: " << found.status().message() << "\n";
    return 1;
  }
  PrintComponent(*found->first, *found->second);
  return loaded.ok() ? 0 : 1;
}

}  // namespace

STLAB_COMMAND({"plugins", "[show NAME | show KIND/NAME]",
               "list loaded plugins and registered components; show: a component's parameters",
               {},
               RunPlugins});

}  // namespace stlab::cli
