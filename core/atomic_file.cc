// Temporary file + fsync + rename.
#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace stlab {
namespace {

absl::Status ErrnoError(const std::string& what, const std::filesystem::path& path) {
  return absl::InternalError(absl::StrCat(what, " '", path.string(), "': ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create folder '", folder.string(), "': ", error.message()));
  }
  std::string temp = (folder / absl::StrCat(".", path.filename().string(), ".tmp.XXXXXX")).string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) return ErrnoError("cannot create a temporary file beside", path);
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status status = ErrnoError("cannot write", temp);
      close(fd);
      unlink(temp.c_str());
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
    absl::Status status = ErrnoError("cannot flush", temp);
    close(fd);
    unlink(temp.c_str());
    return status;
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = ErrnoError("cannot rename a temporary file onto", path);
    unlink(temp.c_str());
    return status;
  }
  const int dir_fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status RefuseSymlinkToAppend(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, error))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", path.string(), "' is a symbolic link; stlab appends only to files of its own "
        "folder and never follows a link there (remove the link)"));
  }
  return absl::OkStatus();
}

}  // namespace stlab
