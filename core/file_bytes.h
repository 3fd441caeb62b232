// Reading a whole file: the one place where stlab does it, with errors that name the
// file and its role.
#ifndef STLAB_CORE_FILE_BYTES_H_
#define STLAB_CORE_FILE_BYTES_H_

#include <cstddef>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/export.h"

namespace stlab {

/// The bytes of `path`. `role` names the file in errors ("config file",
/// "checkpoint", "weights file"): "<role> '<path>' does not exist" (NotFound),
/// "<role> '<path>' is a directory, not a file" and "... is not a regular file"
/// (InvalidArgument), "cannot read <role> '<path>'" (Unavailable). `extra_capacity`
/// bytes are reserved past the end (simdjson's padding), without changing the size.
STLAB_API absl::StatusOr<std::string> ReadFileBytes(const std::filesystem::path& path,
                                                    absl::string_view role,
                                                    size_t extra_capacity = 0);

}  // namespace stlab

#endif  // STLAB_CORE_FILE_BYTES_H_
