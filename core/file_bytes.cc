// Whole-file reads with errors that name the file.
#include "core/file_bytes.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace stlab {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

absl::StatusOr<std::string> ReadFileBytes(const std::filesystem::path& path,
                                          absl::string_view role, size_t extra_capacity) {
  const std::string named = absl::StrCat(role, " '", path.string(), "'");
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (std::filesystem::is_directory(status)) {
    return absl::InvalidArgumentError(absl::StrCat(named, " is a directory, not a file"));
  }
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(absl::StrCat(named, " does not exist"));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return absl::InvalidArgumentError(absl::StrCat(named, " is not a regular file"));
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return absl::UnavailableError(absl::StrCat("cannot read ", named));
  std::string bytes;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (!error) bytes.reserve(static_cast<size_t>(size) + extra_capacity);
  char chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof(chunk), file.get())) > 0) bytes.append(chunk, n);
  if (std::ferror(file.get())) return absl::UnavailableError(absl::StrCat("cannot read ", named));
  if (bytes.capacity() < bytes.size() + extra_capacity) bytes.reserve(bytes.size() + extra_capacity);
  return bytes;
}

}  // namespace stlab
