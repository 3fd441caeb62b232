// SHA-256 digests (OpenSSL's libcrypto), for provenance and content addresses.
#ifndef STLAB_CORE_SHA256_H_
#define STLAB_CORE_SHA256_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

/// Lowercase hex SHA-256 (64 digits) of `bytes`.
STLAB_API std::string Sha256Hex(std::string_view bytes);

/// Lowercase hex SHA-256 of a file's contents, read in chunks; an unreadable file
/// is an error naming it.
STLAB_API absl::StatusOr<std::string> Sha256HexOfFile(const std::filesystem::path& file);

}  // namespace stlab

#endif  // STLAB_CORE_SHA256_H_
