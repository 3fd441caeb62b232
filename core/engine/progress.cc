// ProgressBar.
#include "core/engine/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace stlab {

ProgressBar::ProgressBar(int64_t start, int64_t total)
    : start_(start),
      total_(total),
      terminal_(isatty(fileno(stderr)) != 0),
      begin_(std::chrono::steady_clock::now()),
      last_draw_(begin_) {}

std::string ProgressBar::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

void ProgressBar::Update(int64_t iteration, const std::string& detail, bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (terminal_ && !force && iteration < total_ &&
      now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  if (!terminal_ && !force) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - begin_).count();
  const double done = static_cast<double>(iteration - start_);
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - iteration) / rate : NAN;
  const double fraction = total_ > 0 ? static_cast<double>(iteration) / static_cast<double>(total_) : 1.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const std::string line =
      absl::StrFormat("[%s] %d/%d %.2f it/s ETA %s %s", bar, iteration, total_, rate,
                      FormatDuration(eta), detail);
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (terminal_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace stlab
