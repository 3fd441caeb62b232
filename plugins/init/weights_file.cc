// Whole-file reads and SHA-256 through OpenSSL's EVP interface.
#include "plugins/init/weights_file.h"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "openssl/evp.h"

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

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string DescribeOrigin(const std::string& kind, const std::filesystem::path& path,
                           const std::string& sha256_hex) {
  if (sha256_hex.empty()) return absl::StrCat(kind, " ", path.string());
  return absl::StrCat(kind, " ", path.string(), " sha256:", sha256_hex.substr(0, 12));
}

}  // namespace stlab::init
