// Internal: the toml++ representation behind ConfigDocument, shared by the loader
// and the validator. Not installed; toml++ stays out of the public headers.
#ifndef STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_
#define STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_

#include <filesystem>
#include <string>

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

/// Parses a TOML file: NotFound when it does not exist, InvalidArgument naming
/// file, line and column on a syntax error.
absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& file);

/// "string", "integer", "table", ... for messages.
const char* TomlTypeName(const toml::node& node);

}  // namespace config_internal
}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_INTERNAL_TOML_DOCUMENT_H_
