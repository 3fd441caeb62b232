// Metrics of a run as JSON lines (one object per logged iteration or evaluation),
// the machine-readable record that reports and plots are made from.
#ifndef STLAB_CORE_ENGINE_METRICS_LOG_H_
#define STLAB_CORE_ENGINE_METRICS_LOG_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

/// Appends lines {"kind": "train"|"eval", "iteration": N, "<name>": value, ...}.
/// Values are written with 17 significant digits (they round-trip exactly);
/// non-finite values as null.
class STLAB_API MetricsLog {
 public:
  /// Opens `path` for appending. Lines with an iteration above `keep_through` are
  /// removed first (atomically): they were written by a run killed after its last
  /// checkpoint, and the resumed run writes them again.
  static absl::StatusOr<std::unique_ptr<MetricsLog>> Open(const std::filesystem::path& path,
                                                          int64_t keep_through);

  /// Writes one line and flushes it.
  absl::Status Append(const std::string& kind, int64_t iteration,
                      const std::map<std::string, double>& values);

 private:
  MetricsLog(std::filesystem::path path, std::ofstream out)
      : path_(std::move(path)), out_(std::move(out)) {}
  std::filesystem::path path_;
  std::ofstream out_;
};

/// One metrics value as JSON: 17 significant digits, or null when not finite.
STLAB_API std::string JsonNumber(double value);
/// `metrics` as one JSON object {"name": value, ...}, values as JsonNumber.
STLAB_API std::string MetricsJson(const std::map<std::string, double>& metrics);
/// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
STLAB_API std::string JsonString(const std::string& text);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_METRICS_LOG_H_
