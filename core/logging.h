// Logging: a small facade over spdlog, which writes to the console and, for runs,
// to a log file in the run folder.
//
// NOTE: spdlog stays out of every header. LibTorch bundles its own, newer {fmt},
// which Debian's spdlog cannot compile against, so spdlog is confined to
// logging.cc, built without LibTorch's include folder.
#ifndef STLAB_CORE_LOGGING_H_
#define STLAB_CORE_LOGGING_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/export.h"

namespace stlab {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError, kOff };

/// Sets up the process logger: console (stderr) at `level` ("trace", "debug",
/// "info", "warn", "error", "off") plus, if given, `log_file` (appended, debug
/// level and above). Until called, messages of level info and above go to stderr.
STLAB_API absl::Status ConfigureLogging(const std::string& level,
                                        const std::optional<std::filesystem::path>& log_file);

/// Writes one message. Thread-safe.
STLAB_API void Log(LogLevel level, std::string_view message);

inline void LogDebug(std::string_view message) { Log(LogLevel::kDebug, message); }
inline void LogInfo(std::string_view message) { Log(LogLevel::kInfo, message); }
inline void LogWarning(std::string_view message) { Log(LogLevel::kWarning, message); }
inline void LogError(std::string_view message) { Log(LogLevel::kError, message); }

}  // namespace stlab

#endif  // STLAB_CORE_LOGGING_H_
