// Validation of a merged config against the schema and the registries. Every
// problem becomes a ConfigError located at the offending value; all are returned
// together.
#include "core/config/validated_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/config/internal/toml_document.h"
#include "core/did_you_mean.h"

namespace stlab {
namespace {

using config_internal::ErrorAt;
using config_internal::TomlTypeName;

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", std::string(key));
}

// The value of `node` as `type`, or an error saying what was expected.
std::optional<ParamValue> ScalarFromToml(const toml::node& node, ParamType type) {
  switch (type) {
    case ParamType::kBool:
      if (auto v = node.value_exact<bool>()) return ParamValue(*v);
      break;
    case ParamType::kInt:
      if (auto v = node.value_exact<int64_t>()) return ParamValue(*v);
      break;
    case ParamType::kFloat:
      if (auto v = node.value_exact<double>()) return ParamValue(*v);
      if (auto v = node.value_exact<int64_t>()) return ParamValue(*v);
      break;
    case ParamType::kString:
      if (auto v = node.value_exact<std::string>()) return ParamValue(*v);
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<ParamValue> FromToml(const toml::node& node, ParamType type) {
  auto list_of = [&](ParamType element_type, auto empty) -> std::optional<ParamValue> {
    const toml::array* array = node.as_array();
    if (array == nullptr) return std::nullopt;
    using List = decltype(empty);
    List out;
    for (const toml::node& element : *array) {
      std::optional<ParamValue> v = ScalarFromToml(element, element_type);
      if (!v) return std::nullopt;
      if constexpr (std::is_same_v<List, std::vector<double>>) {
        out.push_back(std::holds_alternative<int64_t>(*v) ? static_cast<double>(std::get<int64_t>(*v))
                                                          : std::get<double>(*v));
      } else {
        out.push_back(std::get<typename List::value_type>(*v));
      }
    }
    return ParamValue(std::move(out));
  };
  switch (type) {
    case ParamType::kIntList: return list_of(ParamType::kInt, std::vector<int64_t>{});
    case ParamType::kFloatList: return list_of(ParamType::kFloat, std::vector<double>{});
    case ParamType::kStringList: return list_of(ParamType::kString, std::vector<std::string>{});
    default: return ScalarFromToml(node, type);
  }
}

std::string DescribeToml(const toml::node& node) {
  if (const toml::array* a = node.as_array(); a != nullptr && !a->empty()) {
    return absl::StrCat("array of ", TomlTypeName(*a->get(0)));
  }
  return TomlTypeName(node);
}

class Validator {
 public:
  Validator(const ConfigSchema& schema, const Registries& registries)
      : schema_(schema), registries_(registries) {}

  // Checks `table`'s keys against `specs` (all keys but `skip`), returning the
  // resolved values (defaults filled in).
  std::map<std::string, ParamValue> CheckParams(const toml::table* table, const toml::node& anchor,
                                                const std::string& path, const ParamSpecs& specs,
                                                const std::vector<std::string>& skip) {
    std::map<std::string, ParamValue> values;
    std::vector<std::string> known = skip;
    for (const ParamSpec& spec : specs) known.push_back(spec.name());
    if (table != nullptr) {
      for (auto&& [key, node] : *table) {
        const std::string name(key.str());
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        const ParamSpec* spec = FindSpec(specs, name);
        const std::string key_path = Join(path, name);
        if (spec == nullptr) {
          errors_.push_back(ErrorAt(node, key_path,
                                    absl::StrCat("unknown key '", name, "'",
                                                 DidYouMeanSuffix(name, known), "; allowed: ",
                                                 known.empty() ? "none" : absl::StrJoin(known, ", "))));
          continue;
        }
        std::optional<ParamValue> raw = FromToml(node, spec->type());
        if (!raw) {
          errors_.push_back(ErrorAt(node, key_path,
                                    absl::StrCat("must be ", spec->DescribeConstraint(), ", got ",
                                                 DescribeToml(node))));
          continue;
        }
        absl::StatusOr<ParamValue> accepted = spec->Accept(*std::move(raw));
        if (!accepted.ok()) {
          errors_.push_back(ErrorAt(node, key_path, std::string(accepted.status().message())));
          continue;
        }
        values.emplace(name, *std::move(accepted));
      }
    }
    for (const ParamSpec& spec : specs) {
      if (values.count(spec.name()) > 0) continue;
      if (spec.default_value()) {
        values.emplace(spec.name(), *spec.default_value());
      } else {
        errors_.push_back(ErrorAt(anchor, Join(path, spec.name()),
                                  absl::StrCat("required ", spec.DescribeConstraint(),
                                               " is not set (", spec.doc(), ")")));
      }
    }
    return values;
  }

  void CheckComponent(const toml::node& node, const std::string& path, const SlotSpec& slot) {
    const toml::table* table = node.as_table();
    const std::string kinds = absl::StrJoin(slot.kinds, " or ");
    if (table == nullptr) {
      errors_.push_back(ErrorAt(node, path,
                                absl::StrCat("must be a table naming a ", kinds,
                                             " with type = \"...\", got ", DescribeToml(node))));
      return;
    }
    const toml::node* type_node = table->get("type");
    std::optional<std::string> type = type_node ? type_node->value_exact<std::string>() : std::nullopt;
    if (!type) {
      errors_.push_back(ErrorAt(type_node ? *type_node : node, Join(path, "type"),
                                absl::StrCat("must name a registered ", kinds, " (a string); registered: ",
                                             RegisteredNames(slot.kinds))));
      return;
    }
    const RegistryBase* registry = nullptr;
    for (const std::string& kind : slot.kinds) {
      const RegistryBase* r = registries_.FindKind(kind);
      if (r != nullptr && r->Contains(*type)) registry = r;
    }
    if (registry == nullptr) {
      std::string message;
      if (slot.kinds.size() == 1) {
        message = std::string(registries_.FindKind(slot.kinds[0])->Find(*type).status().message());
      } else {
        std::vector<std::string> names = AllNames(slot.kinds);
        message = absl::StrCat("unknown ", kinds, " '", *type, "'", DidYouMeanSuffix(*type, names),
                               "; registered: ", RegisteredNames(slot.kinds));
      }
      errors_.push_back(ErrorAt(*type_node, Join(path, "type"), message));
      return;
    }
    const ComponentInfo* info = *registry->Find(*type);
    ComponentConfig component;
    component.key_path = path;
    component.kind = registry->kind();
    component.type = *type;
    if (const auto& file = type_node->source().path; file && *file != "<config>") {
      component.base_dir = std::filesystem::path(*file).parent_path();
    }
    component.values = CheckParams(table, node, path, info->params, {"type"});
    components_.push_back(std::move(component));
  }

  void CheckSection(const toml::table& root, const SectionSpec& section) {
    const toml::node* node = root.get(section.name);
    const toml::table* table = node ? node->as_table() : nullptr;
    if (node != nullptr && table == nullptr) {
      errors_.push_back(ErrorAt(*node, section.name,
                                absl::StrCat("must be a table, got ", DescribeToml(*node))));
      return;
    }
    std::vector<std::string> slot_keys;
    for (const SlotSpec& slot : section.slots) slot_keys.push_back(slot.key);
    sections_[section.name] =
        Params(CheckParams(table, node ? *node : static_cast<const toml::node&>(root), section.name,
                           section.params, slot_keys));
    if (table == nullptr) return;
    for (const SlotSpec& slot : section.slots) {
      const std::string path = Join(section.name, slot.key);
      const toml::node* slot_node = table->get(slot.key);
      if (slot_node == nullptr) {
        if (slot.required) {
          errors_.push_back(ErrorAt(*node, path,
                                    absl::StrCat("required ", absl::StrJoin(slot.kinds, " or "),
                                                 " is not set (", slot.doc, "); registered: ",
                                                 RegisteredNames(slot.kinds))));
        }
        continue;
      }
      if (!slot.repeated) {
        CheckComponent(*slot_node, path, slot);
        continue;
      }
      const toml::array* list = slot_node->as_array();
      if (list == nullptr) {
        errors_.push_back(ErrorAt(*slot_node, path,
                                  absl::StrCat("must be an array of tables ([[", path,
                                               "]]), got ", DescribeToml(*slot_node))));
        continue;
      }
      for (size_t i = 0; i < list->size(); ++i) {
        CheckComponent(*list->get(i), absl::StrCat(path, "[", i, "]"), slot);
      }
    }
  }

  void CheckRoot(const toml::table& root) {
    std::vector<std::string> known = {kPluginsKey};
    for (const SectionSpec& s : schema_.sections) known.push_back(s.name);
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (name == kPluginsKey) {
        const toml::array* list = node.as_array();
        if (list == nullptr || !(list->empty() || list->is_homogeneous(toml::node_type::string))) {
          errors_.push_back(ErrorAt(node, name,
                                    absl::StrCat("must be a list of plugin folders or files "
                                                 "(strings), got ", DescribeToml(node))));
        }
      } else if (FindSection(name) == nullptr) {
        errors_.push_back(ErrorAt(node, name,
                                  absl::StrCat("unknown section '", name, "'",
                                               DidYouMeanSuffix(name, known),
                                               "; allowed: ", absl::StrJoin(known, ", "))));
      }
    }
    for (const SectionSpec& section : schema_.sections) CheckSection(root, section);
  }

  std::vector<ConfigError> errors_;
  std::map<std::string, Params> sections_;
  std::vector<ComponentConfig> components_;

 private:
  static const ParamSpec* FindSpec(const ParamSpecs& specs, const std::string& name) {
    for (const ParamSpec& spec : specs) {
      if (spec.name() == name) return &spec;
    }
    return nullptr;
  }

  const SectionSpec* FindSection(const std::string& name) const {
    for (const SectionSpec& s : schema_.sections) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  std::vector<std::string> AllNames(const std::vector<std::string>& kinds) const {
    std::vector<std::string> names;
    for (const std::string& kind : kinds) {
      if (const RegistryBase* r = registries_.FindKind(kind)) {
        for (std::string& n : r->Names()) names.push_back(std::move(n));
      }
    }
    return names;
  }

  std::string RegisteredNames(const std::vector<std::string>& kinds) const {
    std::vector<std::string> names = AllNames(kinds);
    return names.empty() ? "none (no plugin providing one is loaded)" : absl::StrJoin(names, ", ");
  }

  const ConfigSchema& schema_;
  const Registries& registries_;
};

}  // namespace

absl::StatusOr<ValidatedConfig> ValidateConfig(const ConfigDocument& document,
                                               const ConfigSchema& schema,
                                               const Registries& registries) {
  Validator validator(schema, registries);
  validator.CheckRoot(document.impl().root);
  STLAB_RETURN_IF_ERROR(ConfigErrorsToStatus(validator.errors_));
  ValidatedConfig config;
  config.sections_ = std::move(validator.sections_);
  // A section the document leaves out that has a required slot stays out of
  // ToToml(): written with its defaults, it would make the written config invalid.
  for (const SectionSpec& section : schema.sections) {
    const bool needs_slots = std::any_of(section.slots.begin(), section.slots.end(),
                                         [](const SlotSpec& slot) { return slot.required; });
    if (!needs_slots || document.impl().root.contains(section.name)) {
      config.written_sections_.insert(section.name);
    }
  }
  config.components_ = std::move(validator.components_);
  config.plugin_paths_ = document.PluginPaths();
  std::vector<ConfigError> errors;
  for (const ConfigRule& rule : schema.rules) {
    const std::optional<std::string> problem = rule.check(config);
    if (!problem) continue;
    const toml::node* anchor = document.impl().root.at_path(rule.key).node();
    errors.push_back(ErrorAt(anchor ? *anchor : document.impl().root, rule.key, *problem));
  }
  STLAB_RETURN_IF_ERROR(ConfigErrorsToStatus(errors));
  return config;
}

const Params& ValidatedConfig::Section(const std::string& section) const {
  static const Params* const kEmpty = new Params();
  auto it = sections_.find(section);
  return it == sections_.end() ? *kEmpty : it->second;
}

const ComponentConfig* ValidatedConfig::Component(const std::string& slot_path) const {
  for (const ComponentConfig& c : components_) {
    if (c.key_path == slot_path) return &c;
  }
  return nullptr;
}

std::vector<const ComponentConfig*> ValidatedConfig::Components(const std::string& slot_path) const {
  std::vector<const ComponentConfig*> out;
  const std::string prefix = slot_path + "[";
  for (const ComponentConfig& c : components_) {
    if (c.key_path.rfind(prefix, 0) == 0) out.push_back(&c);
  }
  return out;
}

std::string ValidatedConfig::ToToml() const {
  // Written by hand rather than with toml++'s formatter so that floats come out in
  // their shortest exact form (0.99, not 0.98999999999999999).
  std::string out;
  if (!plugin_paths_.empty()) {
    std::vector<std::string> paths;
    for (const auto& p : plugin_paths_) paths.push_back(p.string());
    absl::StrAppend(&out, kPluginsKey, " = ", FormatParamValue(paths), "\n");
  }
  auto append_values = [&out](const std::map<std::string, ParamValue>& values) {
    for (const auto& [key, value] : values) {
      absl::StrAppend(&out, key, " = ", FormatParamValue(value), "\n");
    }
  };
  for (const auto& [name, params] : sections_) {
    if (written_sections_.count(name) == 0) continue;
    if (!params.values().empty()) {
      absl::StrAppend(&out, out.empty() ? "" : "\n", "[", name, "]\n");
      append_values(params.values());
    }
    for (const ComponentConfig& c : components_) {
      if (c.key_path.substr(0, c.key_path.find('.')) != name) continue;
      const size_t bracket = c.key_path.find('[');
      const bool repeated = bracket != std::string::npos;
      const std::string table = repeated ? c.key_path.substr(0, bracket) : c.key_path;
      absl::StrAppend(&out, out.empty() ? "" : "\n", repeated ? "[[" : "[", table,
                      repeated ? "]]\n" : "]\n", "type = ", FormatParamValue(c.type), "\n");
      append_values(c.values);
    }
  }
  return out;
}

}  // namespace stlab
