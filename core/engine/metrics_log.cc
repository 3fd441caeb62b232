// MetricsLog.
#include "core/engine/metrics_log.h"

#include <cmath>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/atomic_file.h"
#include "core/status.h"

namespace stlab {
namespace {

constexpr char kIterationKey[] = "\"iteration\": ";

// The iteration of a line MetricsLog wrote, or -1 when it has none.
int64_t IterationOf(const std::string& line) {
  const size_t at = line.find(kIterationKey);
  if (at == std::string::npos) return -1;
  const size_t begin = at + sizeof(kIterationKey) - 1;
  const size_t end = line.find_first_of(",}", begin);
  int64_t iteration = -1;
  if (!absl::SimpleAtoi(line.substr(begin, end - begin), &iteration)) return -1;
  return iteration;
}

}  // namespace

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.17g", value);
}

std::string MetricsJson(const std::map<std::string, double>& metrics) {
  std::string out = "{";
  for (const auto& [name, value] : metrics) {
    if (out.size() > 1) out += ", ";
    absl::StrAppend(&out, JsonString(name), ": ", JsonNumber(value));
  }
  return out + "}";
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

absl::StatusOr<std::unique_ptr<MetricsLog>> MetricsLog::Open(const std::filesystem::path& path,
                                                             int64_t keep_through) {
  STLAB_RETURN_IF_ERROR(RefuseSymlinkToAppend(path));
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    std::ifstream in(path);
    std::string kept;
    std::string line;
    bool dropped = false;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (IterationOf(line) > keep_through) {
        dropped = true;
        continue;
      }
      absl::StrAppend(&kept, line, "\n");
    }
    if (dropped) STLAB_RETURN_IF_ERROR(WriteFileAtomically(path, kept));
  }
  std::ofstream out(path, std::ios::app);
  if (!out) {
    return absl::UnavailableError(absl::StrCat("cannot open metrics log '", path.string(), "'"));
  }
  return std::unique_ptr<MetricsLog>(new MetricsLog(path, std::move(out)));
}

absl::Status MetricsLog::Append(const std::string& kind, int64_t iteration,
                                const std::map<std::string, double>& values) {
  std::string line = absl::StrCat("{\"kind\": ", JsonString(kind), ", ", kIterationKey, iteration);
  for (const auto& [name, value] : values) {
    absl::StrAppend(&line, ", ", JsonString(name), ": ", JsonNumber(value));
  }
  line += "}\n";
  out_ << line;
  out_.flush();
  if (!out_) {
    return absl::UnavailableError(absl::StrCat("cannot write metrics log '", path_.string(), "'"));
  }
  return absl::OkStatus();
}

}  // namespace stlab
