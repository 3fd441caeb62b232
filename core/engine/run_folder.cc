// Run-folder lock and config claim.
#include "core/engine/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/atomic_file.h"
#include "core/status.h"

namespace stlab {
namespace {

absl::StatusOr<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path.string(), "'"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunFolderLock>> RunFolderLock::Acquire(
    const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open '", path.string(), "'"));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "run folder '", dir.string(), "' is in use by another stlab process"));
  }
  return std::unique_ptr<RunFolderLock>(new RunFolderLock(fd));
}

RunFolderLock::~RunFolderLock() { ::close(fd_); }

absl::Status ClaimRunFolder(const std::filesystem::path& dir,
                            const std::filesystem::path& config_file,
                            const std::string& resolved_config) {
  std::error_code error;
  if (std::filesystem::exists(config_file, error)) {
    STLAB_ASSIGN_OR_RETURN(const std::string existing, ReadText(config_file));
    if (existing != resolved_config) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run folder '", dir.string(), "' belongs to a run with a different config (",
          config_file.string(),
          "); set another run.name or run.output_dir, or delete the folder to start over"));
    }
    return absl::OkStatus();
  }
  return WriteFileAtomically(config_file, resolved_config);
}

}  // namespace stlab
