// Claiming a run folder: one process at a time, and one config per folder. Shared
// by every command that writes a run (training, pre-training).
#ifndef STLAB_CORE_ENGINE_RUN_FOLDER_H_
#define STLAB_CORE_ENGINE_RUN_FOLDER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

/// An exclusive lock on the run folder for the life of the process (released by the
/// kernel however the process ends), so that two processes never train one run.
class STLAB_API RunFolderLock {
 public:
  /// Locks `dir / ".lock"`; fails if another process holds it.
  static absl::StatusOr<std::unique_ptr<RunFolderLock>> Acquire(const std::filesystem::path& dir);
  ~RunFolderLock();
  RunFolderLock(const RunFolderLock&) = delete;
  RunFolderLock& operator=(const RunFolderLock&) = delete;

 private:
  explicit RunFolderLock(int fd) : fd_(fd) {}
  int fd_;
};

/// Writes `resolved_config` to `config_file` (atomically) in a fresh run folder, or
/// checks that an existing run folder was started with the same config: an error
/// names `dir` and the first keys that differ. A folder whose run saved no
/// checkpoint yet (`trained` false: a run that failed during set-up or before its
/// first checkpoint) takes the new config instead.
STLAB_API absl::Status ClaimRunFolder(const std::filesystem::path& dir,
                                      const std::filesystem::path& config_file,
                                      const std::string& resolved_config, bool trained);

/// The keys whose values differ between two resolved configs (as ValidatedConfig::
/// ToToml writes them), in the order of `a`, then keys only in `b`:
/// "train.lr (0.01 -> 0.02)", "data.val.split (absent -> \"test\")".
STLAB_API std::vector<std::string> DifferingConfigKeys(const std::string& a, const std::string& b);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_RUN_FOLDER_H_
