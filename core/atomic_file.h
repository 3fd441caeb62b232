// Atomic file writes: no reader ever sees a half-written file, and a crash leaves
// either the old content or the new. And the check for files appended to in place.
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

/// An error when `path` is a symbolic link: files that stlab appends to in place
/// (train.log, metrics.jsonl) are its own, never followed elsewhere. OK when
/// `path` is a regular file or does not exist.
STLAB_API absl::Status RefuseSymlinkToAppend(const std::filesystem::path& path);

}  // namespace stlab

#endif  // STLAB_CORE_ATOMIC_FILE_H_
