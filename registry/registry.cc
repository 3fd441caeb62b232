// Lookup, listing, merging and error messages shared by all typed registries.
#include "registry/registry.h"

#include "absl/strings/str_join.h"
#include "core/did_you_mean.h"

namespace stlab {

RegistryBase::RegistryBase(std::string kind, std::string summary,
                           const RegistryEnvironment* environment)
    : kind_(std::move(kind)), summary_(std::move(summary)), environment_(environment) {}

absl::StatusOr<const RegistryBase::Entry*> RegistryBase::FindEntry(absl::string_view name) const {
  auto it = entries_.find(std::string(name));
  if (it != entries_.end()) return &it->second;
  std::vector<std::string> names = Names();
  std::vector<std::string> plugins;
  for (const PluginInfo& p : environment_->loaded_plugins) {
    plugins.push_back(absl::StrCat(p.name, " (", p.path, ")"));
  }
  return absl::NotFoundError(absl::StrCat(
      "unknown ", kind_, " '", name, "'", DidYouMeanSuffix(name, names), "; registered ", kind_,
      "s: ", names.empty() ? "none" : absl::StrJoin(names, ", "), "; loaded plugins: ",
      plugins.empty() ? "none (is the plugin folder on the search path?)"
                      : absl::StrJoin(plugins, ", ")));
}

absl::StatusOr<const ComponentInfo*> RegistryBase::Find(absl::string_view name) const {
  STLAB_ASSIGN_OR_RETURN(const Entry* entry, FindEntry(name));
  return &entry->info;
}

std::vector<const ComponentInfo*> RegistryBase::List() const {
  std::vector<const ComponentInfo*> out;
  out.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) out.push_back(&entry.info);
  return out;
}

std::vector<std::string> RegistryBase::Names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

absl::Status RegistryBase::Insert(ComponentInfo info, std::any factory) {
  if (info.name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("a ", kind_, " was registered without a name"));
  }
  if (info.origin.empty()) info.origin = environment_->origin;
  auto it = entries_.find(info.name);
  if (it != entries_.end()) {
    return absl::AlreadyExistsError(absl::StrCat(kind_, " '", info.name,
                                                 "' is registered twice: by ",
                                                 it->second.info.origin, " and by ", info.origin));
  }
  std::string name = info.name;
  entries_.emplace(std::move(name), Entry{std::move(info), std::move(factory)});
  return absl::OkStatus();
}

absl::Status RegistryBase::CheckMergeable(const RegistryBase& other) const {
  for (const auto& [name, entry] : other.entries_) {
    auto it = entries_.find(name);
    if (it != entries_.end()) {
      return absl::AlreadyExistsError(absl::StrCat(kind_, " '", name,
                                                   "' is registered twice: by ",
                                                   it->second.info.origin, " and by ",
                                                   entry.info.origin));
    }
  }
  return absl::OkStatus();
}

void RegistryBase::MergeFrom(RegistryBase& other) {
  entries_.merge(other.entries_);
}

}  // namespace stlab
