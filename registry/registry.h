// Typed name -> factory registries, one per component interface.
//
// Factory contract: a factory receives validated Params (every declared parameter
// present and within its constraints) plus the kind's context (e.g. the input
// feature specs of a neck) and returns a new, independent instance, or an error
// Status that says which parameter or input did not fit. Factories may throw
// (LibTorch does); Create() turns exceptions into a Status naming the component.
#ifndef STLAB_REGISTRY_REGISTRY_H_
#define STLAB_REGISTRY_REGISTRY_H_

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/export.h"
#include "core/status.h"
#include "registry/param.h"

namespace stlab {

/// The one declaration of a registered component.
struct ComponentInfo {
  std::string name;         ///< Unique within its kind, e.g. "horizontal_flip".
  std::string description;  ///< One line, shown by `stlab plugins`.
  ParamSpecs params;
  std::string origin;       ///< Filled by the registry: which plugin registered it.
};

/// A plugin library that has been loaded (for listings and error messages).
struct PluginInfo {
  std::string name;
  std::string version;
  std::string path;
};

/// State shared by the registries of one Registries set.
struct RegistryEnvironment {
  /// Plugins loaded so far, named in lookup errors.
  std::vector<PluginInfo> loaded_plugins;
  /// Stamped on entries added without an origin ("built-in", "plugin 'x' (path)").
  std::string origin = "built-in";
};

/// The kind-independent part of a registry: names, declarations and lookup errors.
class STLAB_API RegistryBase {
 public:
  RegistryBase(std::string kind, std::string summary, const RegistryEnvironment* environment);
  RegistryBase(const RegistryBase&) = delete;
  RegistryBase& operator=(const RegistryBase&) = delete;
  virtual ~RegistryBase() = default;

  /// Config-facing kind name, e.g. "backbone".
  const std::string& kind() const { return kind_; }
  /// One line saying what this kind of component does.
  const std::string& summary() const { return summary_; }

  /// The declaration of `name`, or an error listing what is registered, which
  /// plugins were loaded, and the closest name.
  absl::StatusOr<const ComponentInfo*> Find(absl::string_view name) const;
  bool Contains(absl::string_view name) const { return entries_.count(std::string(name)) > 0; }
  /// Declarations sorted by name.
  std::vector<const ComponentInfo*> List() const;
  std::vector<std::string> Names() const;

  /// Checks that MergeFrom(other) would succeed: no name of `other` is taken here.
  absl::Status CheckMergeable(const RegistryBase& other) const;
  /// Moves every entry of `other` (same kind) into this registry, keeping their
  /// origins. Call CheckMergeable first; a taken name is overwritten by nothing.
  void MergeFrom(RegistryBase& other);

 protected:
  struct Entry {
    ComponentInfo info;
    std::any factory;
  };
  absl::Status Insert(ComponentInfo info, std::any factory);
  absl::StatusOr<const Entry*> FindEntry(absl::string_view name) const;

 private:
  std::string kind_;
  std::string summary_;
  const RegistryEnvironment* environment_;
  std::map<std::string, Entry> entries_;
};

/// Context type of kinds whose factories need nothing beyond their parameters.
struct NoContext {};

/// Registry of one interface. `Context` is what the factory needs besides params.
template <typename Interface, typename Context = NoContext>
class Registry : public RegistryBase {
 public:
  using Factory =
      std::function<absl::StatusOr<std::shared_ptr<Interface>>(const Params&, const Context&)>;

  using RegistryBase::RegistryBase;

  /// Registers a component. A second component with the same name is an error
  /// naming both origins.
  absl::Status Add(ComponentInfo info, Factory factory) {
    return Insert(std::move(info), std::any(std::move(factory)));
  }

  /// Builds component `name` from raw parameter values (defaults filled in and
  /// every value checked against the declaration first).
  absl::StatusOr<std::shared_ptr<Interface>> Create(
      absl::string_view name, std::map<std::string, ParamValue> values,
      const Context& context = Context()) const {
    STLAB_ASSIGN_OR_RETURN(const Entry* entry, FindEntry(name));
    const std::string where = absl::StrCat(kind(), " '", name, "'");
    absl::StatusOr<Params> params = ResolveParams(entry->info.params, std::move(values));
    if (!params.ok()) return Annotate(params.status(), where);
    const auto& factory = std::any_cast<const Factory&>(entry->factory);
    return CallAndCatch(where, [&]() -> absl::StatusOr<std::shared_ptr<Interface>> {
      absl::StatusOr<std::shared_ptr<Interface>> made = factory(*params, context);
      if (!made.ok()) return Annotate(made.status(), where);
      if (*made == nullptr) return absl::InternalError(absl::StrCat(where, ": factory returned null"));
      return made;
    });
  }
};

}  // namespace stlab

#endif  // STLAB_REGISTRY_REGISTRY_H_
