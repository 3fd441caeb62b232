// A weights file read whole, with the digest that identifies it in run reports.
#ifndef STLAB_PLUGINS_INIT_WEIGHTS_FILE_H_
#define STLAB_PLUGINS_INIT_WEIGHTS_FILE_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "core/sha256.h"

namespace stlab::init {

/// The bytes of one file and their SHA-256, so that the digest reported is that of
/// exactly the bytes loaded.
struct WeightsFile {
  std::filesystem::path path;
  std::string bytes;
  std::string sha256_hex;  ///< 64 lowercase hex digits.
};

/// Reads `path` whole. A missing or unreadable file is an error naming it.
absl::StatusOr<WeightsFile> ReadWeightsFile(const std::filesystem::path& path);

/// "KIND PATH sha256:<first 12 hex digits>" once a file was read (`sha256_hex` not
/// empty), "KIND PATH" before.
std::string DescribeOrigin(const std::string& kind, const std::filesystem::path& path,
                           const std::string& sha256_hex);

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_WEIGHTS_FILE_H_
