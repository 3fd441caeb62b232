// Formatting of configuration errors.
#include "core/config/config_error.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace stlab {

std::string ConfigError::ToString() const {
  std::string out = file.empty() ? "<config>" : file;
  if (line > 0) absl::StrAppend(&out, ":", line, ":", column);
  absl::StrAppend(&out, ": ");
  if (!key_path.empty()) absl::StrAppend(&out, key_path, ": ");
  absl::StrAppend(&out, message);
  return out;
}

absl::Status ConfigErrorsToStatus(const std::vector<ConfigError>& errors) {
  if (errors.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  lines.reserve(errors.size());
  for (const ConfigError& e : errors) lines.push_back(e.ToString());
  return absl::InvalidArgumentError(absl::StrCat(
      errors.size(), errors.size() == 1 ? " config error:\n" : " config errors:\n",
      absl::StrJoin(lines, "\n")));
}

}  // namespace stlab
