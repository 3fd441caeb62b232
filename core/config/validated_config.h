// Validation of a ConfigDocument against the experiment schema and the registered
// components, reporting every error at once with its file, line, column and key
// path; and the resolved result the engine reads.
#ifndef STLAB_CORE_CONFIG_VALIDATED_CONFIG_H_
#define STLAB_CORE_CONFIG_VALIDATED_CONFIG_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/export.h"
#include "registry/param.h"
#include "registry/registries.h"

namespace stlab {

/// A component chosen by a config slot, with every parameter resolved.
struct ComponentConfig {
  std::string key_path;  ///< "model.backbone", "augment.pipeline[0]".
  std::string kind;      ///< Registry kind of `type`.
  std::string type;      ///< Registered name.
  std::map<std::string, ParamValue> values;  ///< All declared params, defaults filled.
  /// Folder of the file that set `type`: relative paths among the component's
  /// parameters resolve against it. Empty for configs not read from a file.
  std::filesystem::path base_dir;
};

/// A config that passed validation: engine parameters per section and components
/// per slot, all resolved.
class STLAB_API ValidatedConfig {
 public:
  /// Parameters of `section` (defaults when the section is absent).
  const Params& Section(const std::string& section) const;
  /// The component in slot "section.key", or nullptr if the slot is not set.
  const ComponentConfig* Component(const std::string& slot_path) const;
  /// The components of a repeated slot, in order (empty if not set).
  std::vector<const ComponentConfig*> Components(const std::string& slot_path) const;
  /// Plugin paths named by the config.
  const std::vector<std::filesystem::path>& plugin_paths() const { return plugin_paths_; }

  /// The fully resolved config (no `base`, every default spelled out; a section
  /// with a required component only when the config has it) as TOML: a run is
  /// reproducible from this text alone, and it validates again to itself.
  std::string ToToml() const;

 private:
  friend absl::StatusOr<ValidatedConfig> ValidateConfig(const ConfigDocument&,
                                                        const ConfigSchema&, const Registries&);
  std::map<std::string, Params> sections_;
  std::set<std::string> written_sections_;  ///< What ToToml() writes (see ValidateConfig).
  std::vector<ComponentConfig> components_;
  std::vector<std::filesystem::path> plugin_paths_;
};

/// Checks `document` against `schema` and the registered components: unknown keys
/// (with "did you mean"), wrong types, out-of-range values, unknown component
/// names, missing required values. Collects every error before returning.
STLAB_API absl::StatusOr<ValidatedConfig> ValidateConfig(const ConfigDocument& document,
                                                         const ConfigSchema& schema,
                                                         const Registries& registries);

}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_VALIDATED_CONFIG_H_
