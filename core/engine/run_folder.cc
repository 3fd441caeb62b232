// Run-folder lock and config claim.
#include "core/engine/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/atomic_file.h"
#include "core/file_bytes.h"
#include "core/logging.h"
#include "core/status.h"

namespace stlab {
namespace {

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

std::vector<std::string> DifferingConfigKeys(const std::string& a, const std::string& b) {
  // "section.key" -> value, in order; [[array]] tables are numbered.
  auto flatten = [](const std::string& text) {
    std::vector<std::pair<std::string, std::string>> entries;
    std::map<std::string, int> array_counts;
    std::string prefix;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (line.empty() || line[0] == '#') continue;
      if (absl::ConsumePrefix(&line, "[[") && absl::ConsumeSuffix(&line, "]]")) {
        const std::string name(line);
        prefix = absl::StrCat(name, "[", array_counts[name]++, "]");
      } else if (absl::ConsumePrefix(&line, "[") && absl::ConsumeSuffix(&line, "]")) {
        prefix = std::string(line);
      } else if (const size_t eq = line.find('='); eq != absl::string_view::npos) {
        const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
        entries.emplace_back(prefix.empty() ? key : absl::StrCat(prefix, ".", key),
                             std::string(absl::StripAsciiWhitespace(line.substr(eq + 1))));
      }
    }
    return entries;
  };
  const auto first = flatten(a);
  const auto second = flatten(b);
  const std::map<std::string, std::string> first_map(first.begin(), first.end());
  const std::map<std::string, std::string> second_map(second.begin(), second.end());
  std::vector<std::string> differing;
  for (const auto& [key, value] : first) {
    auto it = second_map.find(key);
    if (it == second_map.end()) {
      differing.push_back(absl::StrCat(key, " (", value, " -> absent)"));
    } else if (it->second != value) {
      differing.push_back(absl::StrCat(key, " (", value, " -> ", it->second, ")"));
    }
  }
  for (const auto& [key, value] : second) {
    if (first_map.count(key) == 0) differing.push_back(absl::StrCat(key, " (absent -> ", value, ")"));
  }
  return differing;
}

absl::Status ClaimRunFolder(const std::filesystem::path& dir,
                            const std::filesystem::path& config_file,
                            const std::string& resolved_config, bool trained) {
  std::error_code error;
  if (std::filesystem::exists(config_file, error)) {
    STLAB_ASSIGN_OR_RETURN(const std::string existing, ReadFileBytes(config_file, "run config"));
    if (existing == resolved_config) return absl::OkStatus();
    std::vector<std::string> differing = DifferingConfigKeys(existing, resolved_config);
    if (!trained) {
      LogInfo(absl::StrCat("run folder '", dir.string(), "' saved no checkpoint yet: it takes "
                           "the new config (", absl::StrJoin(differing, ", "), ")"));
      return WriteFileAtomically(config_file, resolved_config);
    }
    constexpr size_t kShown = 5;
    const size_t more = differing.size() > kShown ? differing.size() - kShown : 0;
    differing.resize(std::min(differing.size(), kShown));
    return absl::FailedPreconditionError(absl::StrCat(
        "run folder '", dir.string(), "' belongs to a run with a different config (",
        config_file.string(), "): ", absl::StrJoin(differing, ", "),
        more > 0 ? absl::StrCat(" and ", more, " more") : "",
        "; set another run.name or run.output_dir, or delete the folder to start over"));
  }
  return WriteFileAtomically(config_file, resolved_config);
}

}  // namespace stlab
