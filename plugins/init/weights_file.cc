// Whole-file reads with their SHA-256.
#include "plugins/init/weights_file.h"

#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace stlab::init {

absl::StatusOr<WeightsFile> ReadWeightsFile(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat("weights file '", path.string(), "' does not exist"));
  }
  const uintmax_t size = std::filesystem::file_size(path, error);
  std::ifstream in(path, std::ios::binary);
  WeightsFile file;
  file.path = path;
  if (!error && in) {
    file.bytes.resize(size);
    in.read(file.bytes.data(), static_cast<std::streamsize>(size));
  }
  if (error || !in || static_cast<uintmax_t>(in.gcount()) != size) {
    return absl::UnavailableError(absl::StrCat("cannot read weights file '", path.string(), "'"));
  }
  file.sha256_hex = Sha256Hex(file.bytes);
  return file;
}

std::string DescribeOrigin(const std::string& kind, const std::filesystem::path& path,
                           const std::string& sha256_hex) {
  if (sha256_hex.empty()) return absl::StrCat(kind, " ", path.string());
  return absl::StrCat(kind, " ", path.string(), " sha256:", sha256_hex.substr(0, 12));
}

}  // namespace stlab::init
