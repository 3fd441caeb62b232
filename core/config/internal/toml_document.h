// Internal: the toml++ representation behind ConfigDocument, shared by the loader
// and the validator. Not installed; toml++ stays out of the public headers.
#ifndef STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_
#define STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

#include "core/config/config_document.h"
#include "core/config/config_error.h"
#include "toml++/toml.h"

namespace stlab {

struct ConfigDocument::Impl {
  toml::table root;
};

namespace config_internal {

/// An error located at `node` (its file, line and column; "<config>" when the node
/// was not read from a file).
ConfigError ErrorAt(const toml::node& node, std::string key_path, std::string message);

/// A TOML syntax error as a status naming file, line and column.
absl::Status ParseErrorStatus(const toml::parse_error& e, const std::string& origin);

/// How deep tables and arrays may nest in a config. stlab's own configs need 4;
/// the bound keeps the recursive merge, checks and printing off a stack overflow
/// (a 16,000-level `[a.a.a...]` header is a few lines of TOML).
inline constexpr int kMaxConfigDepth = 64;

/// An error naming the place where `root` nests deeper than kMaxConfigDepth; it
/// then also empties `root`, destroying it without recursion.
absl::Status RejectDeepNesting(toml::table& root);

/// Parses TOML text read from `origin` (a file name or "<--set ...>"): errors name
/// origin, line and column, for bad syntax or a nesting beyond kMaxConfigDepth.
absl::StatusOr<toml::table> ParseToml(std::string_view text, const std::string& origin);

/// Parses a TOML file: NotFound when it does not exist, InvalidArgument when it
/// is a directory or another non-file, or (naming file, line and column) on a
/// syntax error or a nesting deeper than kMaxConfigDepth.
absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& file);

/// "string", "integer", "table", ... for messages.
const char* TomlTypeName(const toml::node& node);

}  // namespace config_internal
}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_
