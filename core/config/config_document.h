// Loading experiment configs: TOML files with `base = "..."` inheritance (deep
// merge; `_replace_ = true` replaces a whole table; arrays are replaced) and
// command-line overrides, keeping each value's file, line and column.
#ifndef STLAB_CORE_CONFIG_CONFIG_DOCUMENT_H_
#define STLAB_CORE_CONFIG_CONFIG_DOCUMENT_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config/config_error.h"
#include "core/export.h"

namespace stlab {

/// Key that names the file(s) a config inherits from (string or list of strings,
/// relative to the file; later bases override earlier ones, the file overrides all).
inline constexpr const char kBaseKey[] = "base";
/// Key listing plugin folders or library files, relative to the file that sets it.
inline constexpr const char kPluginsKey[] = "plugins";
/// `_replace_ = true` inside a table replaces the inherited table instead of
/// merging into it.
inline constexpr const char kReplaceKey[] = "_replace_";

/// A merged TOML document that remembers where each value came from.
class STLAB_API ConfigDocument {
 public:
  ~ConfigDocument();
  ConfigDocument(ConfigDocument&&) noexcept;
  ConfigDocument& operator=(ConfigDocument&&) noexcept;

  /// Reads `file` and its bases, then applies `overrides` ("a.b.c=value", the value
  /// in TOML syntax; a value that is not valid TOML is taken as a string). Errors
  /// (syntax, missing base, inheritance cycle, bad override) name file and line.
  static absl::StatusOr<ConfigDocument> Load(const std::filesystem::path& file,
                                             const std::vector<std::string>& overrides = {});
  /// Like Load() for a stack of files: each (with its bases) is merged over the
  /// ones before it, as if a file said `base = layers`; then `overrides` apply.
  static absl::StatusOr<ConfigDocument> LoadLayers(
      const std::vector<std::filesystem::path>& layers,
      const std::vector<std::string>& overrides = {});
  /// Parses TOML text as if read from `origin` (for tests and tools).
  static absl::StatusOr<ConfigDocument> Parse(const std::string& toml, const std::string& origin);

  /// Removes the table or value at `key_path` ("self_training", "data.unlabeled"),
  /// if present: what a derived config must not have, as a stage that trains a
  /// self-training experiment's teacher drops [self_training].
  void Erase(const std::string& key_path);

  /// Plugin folders/files named by `plugins = [...]`, resolved against the folder
  /// of the file that named them.
  std::vector<std::filesystem::path> PluginPaths() const;
  /// Where PluginPaths()[i] is declared: "base.toml:3:12" (file, line, column of its
  /// entry in whichever file of the inheritance chain named it).
  std::vector<std::string> PluginPathOrigins() const;

  /// The merged document as TOML.
  std::string ToToml() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit ConfigDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_CONFIG_DOCUMENT_H_
