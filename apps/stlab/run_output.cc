// Run logs and metric printing for the commands.
#include "apps/stlab/run_output.h"

#include <iomanip>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/logging.h"

namespace stlab::cli {

absl::Status StartRunLog(const std::filesystem::path& dir, const std::string& file,
                         const std::string& level) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create run folder '", dir.string(), "': ", error.message()));
  }
  return ConfigureLogging(level, dir / file);
}

void PrintMetrics(const Metrics& metrics, const std::string& indent) {
  for (const auto& [name, value] : metrics) {
    std::cout << indent << std::left << std::setw(28) << name << " " << std::setprecision(6)
              << value << "\n";
  }
}

}  // namespace stlab::cli
