// LineChartSvg: axes with round ticks, grid, error bars, dashed lines, all as SVG text.
#include "core/suite/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace stlab {
namespace {

constexpr double kMarginLeft = 66;
constexpr double kMarginRight = 18;
constexpr double kMarginTop = 34;
constexpr double kMarginBottom = 46;
constexpr char kGridColor[] = "#e5e7eb";
constexpr char kAxisColor[] = "#6b7280";
constexpr char kTextColor[] = "#374151";

struct Range {
  double low = 0;
  double high = 1;
};

// Tick labels of a linear axis: as many decimals as the tick step needs; thousands
// as "k" when every tick is a multiple of a thousand.
std::vector<std::string> LinearTickLabels(const std::vector<double>& ticks) {
  std::vector<std::string> labels;
  if (ticks.empty()) return labels;
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : std::max(std::abs(ticks[0]), 1.0);
  double largest = 0;
  bool thousands = true;
  for (double t : ticks) {
    largest = std::max(largest, std::abs(t));
    thousands = thousands && std::abs(std::remainder(t, 1000.0)) < 1e-9 * std::max(1.0, std::abs(t));
  }
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  for (double t : ticks) {
    if (largest >= 10000 && thousands) {
      labels.push_back(absl::StrFormat("%gk", t / 1000));
    } else {
      labels.push_back(absl::StrFormat("%.*f", decimals, std::abs(t) < step * 1e-9 ? 0.0 : t));
    }
  }
  return labels;
}

// Ticks of a logarithmic axis over [low, high] (both > 0): 1, 2, 5 times powers of
// ten, thinned to powers of ten over many decades, densified over a narrow range.
std::vector<double> LogTicks(double low, double high) {
  const int first = static_cast<int>(std::floor(std::log10(low)));
  const int last = static_cast<int>(std::ceil(std::log10(high)));
  auto collect = [&](const std::vector<double>& mantissas) {
    std::vector<double> ticks;
    for (int k = first; k <= last; ++k) {
      for (double m : mantissas) {
        const double v = m * std::pow(10.0, k);
        if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) ticks.push_back(v);
      }
    }
    return ticks;
  };
  if (last - first > 3) return collect({1});
  std::vector<double> ticks = collect({1, 2, 5});
  if (ticks.size() < 3) ticks = collect({1, 2, 3, 4, 5, 6, 7, 8, 9});
  return ticks;
}

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

std::string Text(double x, double y, const std::string& anchor, int size, const std::string& text,
                 const std::string& extra = "") {
  return absl::StrCat("<text x=\"", Num(x), "\" y=\"", Num(y), "\" text-anchor=\"", anchor,
                      "\" font-size=\"", size, "\" fill=\"", kTextColor, "\"", extra, ">",
                      HtmlEscape(text), "</text>\n");
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> NiceTicks(double low, double high, int target) {
  if (!std::isfinite(low) || !std::isfinite(high)) return {};
  if (high < low) std::swap(low, high);
  if (high - low < 1e-12 * std::max(1.0, std::abs(high))) {
    const double pad = std::abs(high) > 0 ? std::abs(high) * 0.1 : 1.0;
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(low / step + 1e-9) * step;
  for (int i = 0; i < 1000; ++i) {
    const double t = first + i * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= high - step * 1e-9) break;
  }
  return ticks;
}

std::string LineChartSvg(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  const double width = options.width;
  const double height = options.height;
  const double left = kMarginLeft;
  const double right = width - kMarginRight;
  const double top = kMarginTop;
  const double bottom = height - kMarginBottom;

  // Data extent (error bars included), finite points only.
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  auto usable = [&](const ChartSeries& s, size_t i) {
    return std::isfinite(s.x[i]) && std::isfinite(s.y[i]) && (!options.log_y || s.y[i] > 0);
  };
  for (const ChartSeries& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!usable(s, i)) continue;
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0.0;
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, options.log_y && s.y[i] - e <= 0 ? s.y[i] : s.y[i] - e);
      y_max = std::max(y_max, s.y[i] + e);
    }
  }
  const bool has_data = std::isfinite(x_min);

  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", options.width, " ",
      options.height, "\" class=\"chart\" role=\"img\" aria-label=\"", HtmlEscape(options.title),
      "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, "
      "sans-serif\">\n");
  absl::StrAppend(&svg, "<rect x=\"0\" y=\"0\" width=\"", options.width, "\" height=\"",
                  options.height, "\" fill=\"#ffffff\"/>\n");
  if (!options.title.empty()) {
    absl::StrAppend(&svg, Text(width / 2, 21, "middle", 14, options.title, " font-weight=\"600\""));
  }
  absl::StrAppend(&svg, Text((left + right) / 2, height - 8, "middle", 13, options.x_label));
  absl::StrAppend(&svg, Text(16, (top + bottom) / 2, "middle", 13, options.y_label,
                             absl::StrFormat(" transform=\"rotate(-90 16 %s)\"",
                                             Num((top + bottom) / 2))));
  if (!has_data) {
    absl::StrAppend(&svg, "<rect x=\"", Num(left), "\" y=\"", Num(top), "\" width=\"",
                    Num(right - left), "\" height=\"", Num(bottom - top),
                    "\" fill=\"none\" stroke=\"", kGridColor, "\"/>\n",
                    Text((left + right) / 2, (top + bottom) / 2, "middle", 12, "no data"),
                    "</svg>\n");
    return svg;
  }

  // Axes' ranges and ticks.
  // The range of given ticks, plus a margin.
  auto padded = [](const std::vector<std::pair<double, std::string>>& ticks) {
    double low = ticks.front().first, high = low;
    for (const auto& [position, label] : ticks) {
      low = std::min(low, position);
      high = std::max(high, position);
    }
    const double pad = high > low ? (high - low) * 0.06 : 0.5;
    return Range{low - pad, high + pad};
  };
  Range x_range;
  std::vector<std::pair<double, std::string>> x_ticks = options.x_ticks;
  if (!x_ticks.empty()) {
    x_range = padded(x_ticks);
  } else {
    const std::vector<double> ticks = NiceTicks(x_min, x_max, 6);
    const std::vector<std::string> labels = LinearTickLabels(ticks);
    for (size_t i = 0; i < ticks.size(); ++i) x_ticks.emplace_back(ticks[i], labels[i]);
    x_range = {ticks.front(), ticks.back()};
  }
  Range y_range;
  std::vector<std::pair<double, std::string>> y_ticks;
  if (options.log_y) {
    const double low_log = std::log10(y_min), high_log = std::log10(y_max);
    const double pad = high_log > low_log ? (high_log - low_log) * 0.04 : 0.1;
    y_range = {low_log - pad, high_log + pad};
    for (double t : LogTicks(std::pow(10.0, y_range.low), std::pow(10.0, y_range.high))) {
      y_ticks.emplace_back(std::log10(t), absl::StrFormat("%g", t));
    }
  } else if (!options.y_ticks.empty()) {
    y_ticks = options.y_ticks;
    y_range = padded(y_ticks);
  } else {
    const std::vector<double> ticks = NiceTicks(y_min, y_max, 5);
    const std::vector<std::string> labels = LinearTickLabels(ticks);
    for (size_t i = 0; i < ticks.size(); ++i) y_ticks.emplace_back(ticks[i], labels[i]);
    y_range = {ticks.front(), ticks.back()};
  }
  auto px = [&](double x) {
    return left + (x - x_range.low) / (x_range.high - x_range.low) * (right - left);
  };
  auto py = [&](double y) {
    const double t = options.log_y ? std::log10(y) : y;
    return bottom - (t - y_range.low) / (y_range.high - y_range.low) * (bottom - top);
  };
  auto py_axis = [&](double t) {  // `t` already on the axis' scale
    return bottom - (t - y_range.low) / (y_range.high - y_range.low) * (bottom - top);
  };

  for (const auto& [position, label] : y_ticks) {
    const double y = py_axis(position);
    absl::StrAppend(&svg, "<line x1=\"", Num(left), "\" y1=\"", Num(y), "\" x2=\"", Num(right),
                    "\" y2=\"", Num(y), "\" stroke=\"", kGridColor, "\"/>\n",
                    Text(left - 6, y + 4, "end", 12, label));
  }
  for (const auto& [position, label] : x_ticks) {
    const double x = px(position);
    absl::StrAppend(&svg, "<line x1=\"", Num(x), "\" y1=\"", Num(top), "\" x2=\"", Num(x),
                    "\" y2=\"", Num(bottom), "\" stroke=\"", kGridColor, "\"/>\n",
                    "<line x1=\"", Num(x), "\" y1=\"", Num(bottom), "\" x2=\"", Num(x),
                    "\" y2=\"", Num(bottom + 4), "\" stroke=\"", kAxisColor, "\"/>\n",
                    Text(x, bottom + 18, "middle", 12, label));
  }
  absl::StrAppend(&svg, "<path d=\"M", Num(left), " ", Num(top), " V", Num(bottom), " H",
                  Num(right), "\" fill=\"none\" stroke=\"", kAxisColor, "\"/>\n");

  // NOTE: long curves are thinned to about two points per horizontal pixel; the
  // picture is the same and the file stays small.
  const size_t max_points = static_cast<size_t>(2 * (right - left));
  for (const ChartSeries& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    std::vector<size_t> kept;
    for (size_t i = 0; i < n; ++i) {
      if (usable(s, i)) kept.push_back(i);
    }
    if (kept.empty()) continue;
    const std::string style =
        absl::StrCat(" stroke=\"", s.color, "\"",
                     s.opacity < 1 ? absl::StrFormat(" stroke-opacity=\"%.2f\"", s.opacity) : "");
    const size_t stride = (kept.size() + max_points - 1) / max_points;
    std::string points;
    for (size_t k = 0; k < kept.size(); ++k) {
      if (k % stride != 0 && k + 1 != kept.size()) continue;
      const size_t i = kept[k];
      absl::StrAppend(&points, points.empty() ? "" : " ", Num(px(s.x[i])), ",", Num(py(s.y[i])));
    }
    if (kept.size() > 1) {
      absl::StrAppend(&svg, "<polyline fill=\"none\"", style,
                      " stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"",
                      s.dashed ? " stroke-dasharray=\"7 4\"" : "", " points=\"", points, "\"/>\n");
    }
    for (size_t i : kept) {
      const double e = i < s.error.size() && std::isfinite(s.error[i]) ? s.error[i] : 0.0;
      const double x = px(s.x[i]);
      if (e > 0) {
        const double y_low = options.log_y && s.y[i] - e <= 0 ? s.y[i] : s.y[i] - e;
        const double a = py(s.y[i] + e), b = py(y_low);
        absl::StrAppend(&svg, "<path d=\"M", Num(x), " ", Num(a), " V", Num(b), " M", Num(x - 4),
                        " ", Num(a), " H", Num(x + 4), " M", Num(x - 4), " ", Num(b), " H",
                        Num(x + 4), "\" fill=\"none\" stroke-width=\"1.3\"", style, "/>\n");
      }
      const std::string label = i < s.point_labels.size() ? s.point_labels[i] : "";
      if (s.markers || kept.size() == 1 || !label.empty()) {
        absl::StrAppend(&svg, "<circle cx=\"", Num(x), "\" cy=\"", Num(py(s.y[i])),
                        "\" r=\"3.5\" stroke-width=\"1.6\" fill=\"",
                        s.dashed ? "#ffffff" : s.color, "\"", style,
                        label.empty() ? "/>\n"
                                      : absl::StrCat("><title>", HtmlEscape(label), "</title></circle>\n"));
      }
      if (!label.empty()) {
        absl::StrAppend(&svg, Text(x + 5, py(s.y[i]) - 6, "start", 10, label));
      }
    }
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace stlab
