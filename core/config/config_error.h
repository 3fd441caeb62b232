// A configuration error pinned to its source: file, line, column and key path.
#ifndef STLAB_CORE_CONFIG_CONFIG_ERROR_H_
#define STLAB_CORE_CONFIG_CONFIG_ERROR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/export.h"

namespace stlab {

struct ConfigError {
  std::string file;      ///< Config file, or "<--set key>" for a command-line override.
  int line = 0;          ///< 1-based; 0 when unknown.
  int column = 0;        ///< 1-based; 0 when unknown.
  std::string key_path;  ///< e.g. "model.backbone.width", "augment.pipeline[1].p".
  std::string message;   ///< What is wrong and what was expected.

  /// "file:line:column: key.path: message".
  STLAB_API std::string ToString() const;
};

/// All errors as one InvalidArgument status, one error per line (OK if none).
STLAB_API absl::Status ConfigErrorsToStatus(const std::vector<ConfigError>& errors);

}  // namespace stlab

#endif  // STLAB_CORE_CONFIG_CONFIG_ERROR_H_
