// SHA-256 digests that identify files (weights, teachers) in reports and provenance.
#ifndef STLAB_CORE_SHA256_H_
#define STLAB_CORE_SHA256_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

/// Lowercase hex SHA-256 (64 digits) of `bytes` (OpenSSL's libcrypto).
STLAB_API std::string Sha256Hex(std::string_view bytes);

/// Lowercase hex SHA-256 of the file at `path`, read in chunks. A missing or
/// unreadable file is an error naming it.
STLAB_API absl::StatusOr<std::string> Sha256HexOfFile(const std::filesystem::path& path);

}  // namespace stlab

#endif  // STLAB_CORE_SHA256_H_
