// The shape of an experiment config: sections with engine parameters, and slots
// that hold a registered component (`type = "..."` plus that component's params).
#ifndef STLAB_CORE_CONFIG_CONFIG_SCHEMA_H_
#define STLAB_CORE_CONFIG_CONFIG_SCHEMA_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/export.h"
#include "registry/param.h"

namespace stlab {

/// A key whose table names a component: `[model.backbone] type = "resnet" ...`.
struct SlotSpec {
  std::string key;                 ///< Key within its section, e.g. "backbone".
  std::vector<std::string> kinds;  ///< Registry kinds its `type` may name.
  bool required = false;           ///< Required when its section is present.
  bool repeated = false;           ///< An array of tables (`[[augment.pipeline]]`).
  std::string doc;
};

/// A top-level table.
struct SectionSpec {
  std::string name;
  std::string doc;
  ParamSpecs params;
  std::vector<SlotSpec> slots;
};

class ValidatedConfig;

/// A check across parameters that no single ParamSpec can express ("warmup within
/// the iterations"). Runs on a config whose every value already fits its spec;
/// returns what is wrong, reported at `key` ("train.warmup_iterations").
struct ConfigRule {
  std::string key;
  std::function<std::optional<std::string>(const ValidatedConfig&)> check;
};

struct ConfigSchema {
  std::vector<SectionSpec> sections;
  std::vector<ConfigRule> rules;
};

/// The experiment schema: every section the engine reads. The one place where the
/// engine's own parameters are declared.
STLAB_API const ConfigSchema& ExperimentSchema();

}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_CONFIG_SCHEMA_H_
