// Whole-file reads with their SHA-256.
#include "plugins/init/weights_file.h"

#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/file_bytes.h"
#include "core/status.h"

namespace stlab::init {

absl::StatusOr<WeightsFile> ReadWeightsFile(const std::filesystem::path& path) {
  WeightsFile file;
  file.path = path;
  STLAB_ASSIGN_OR_RETURN(file.bytes, ReadFileBytes(path, "weights file"));
  file.sha256_hex = Sha256Hex(file.bytes);
  return file;
}

std::string DescribeOrigin(const std::string& kind, const std::filesystem::path& path,
                           const std::string& sha256_hex) {
  if (sha256_hex.empty()) return absl::StrCat(kind, " ", path.string());
  return absl::StrCat(kind, " ", path.string(), " sha256:", sha256_hex.substr(0, 12));
}

}  // namespace stlab::init
