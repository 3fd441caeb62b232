// spdlog sinks for the console and a per-run file. Built without LibTorch's
// include folder (see logging.h).
#include "core/logging.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/atomic_file.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace stlab {

absl::Status ConfigureLogging(const std::string& level,
                              const std::optional<std::filesystem::path>& log_file) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown log level '", level, "'; expected trace, debug, info, warn, error or off"));
  }
  std::vector<spdlog::sink_ptr> sinks;
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(parsed);
  sinks.push_back(console);
  if (log_file) {
    if (absl::Status s = RefuseSymlinkToAppend(*log_file); !s.ok()) return s;
    try {
      std::filesystem::create_directories(log_file->parent_path());
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file->string());
      file->set_level(spdlog::level::debug);
      sinks.push_back(file);
    } catch (const std::exception& e) {
      return absl::InternalError(
          absl::StrCat("cannot open log file '", log_file->string(), "': ", e.what()));
    }
  }
  auto logger = std::make_shared<spdlog::logger>("stlab", sinks.begin(), sinks.end());
  logger->set_level(std::min(parsed, spdlog::level::debug));
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
  logger->flush_on(spdlog::level::info);  // A killed run keeps its log.
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

void Log(LogLevel level, std::string_view message) {
  static constexpr spdlog::level::level_enum kLevels[] = {
      spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
      spdlog::level::warn,  spdlog::level::err,   spdlog::level::off};
  spdlog::log(kLevels[static_cast<int>(level)], "{}", message);
}

}  // namespace stlab
