// Atomic file writes: no reader ever sees a half-written file, and a crash leaves
// either the old content or the new.
#ifndef STLAB_CORE_ATOMIC_FILE_H_
#define STLAB_CORE_ATOMIC_FILE_H_

#include <filesystem>
#include <string_view>

#include "absl/status/status.h"
#include "core/export.h"

namespace stlab {

/// Writes `contents` to `path` through a temporary file in the same folder, fsync
/// of file and folder, and rename. Creates missing parent folders.
STLAB_API absl::Status WriteFileAtomically(const std::filesystem::path& path,
                                           std::string_view contents);

}  // namespace stlab

#endif  // STLAB_CORE_ATOMIC_FILE_H_
