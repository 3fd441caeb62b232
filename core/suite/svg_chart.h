// Line charts as self-contained inline SVG (no scripts, no external resources), the
// building block of the suite report's plots.
#ifndef STLAB_CORE_SUITE_SVG_CHART_H_
#define STLAB_CORE_SUITE_SVG_CHART_H_

#include <string>
#include <utility>
#include <vector>

#include "core/export.h"

namespace stlab {

/// One line of a chart: points (x[i], y[i]), optionally with symmetric error bars.
struct ChartSeries {
  std::string color = "#0072B2";  ///< Any CSS colour.
  bool dashed = false;
  bool markers = false;         ///< A dot at every point (always drawn for one point).
  double opacity = 1.0;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> error;    ///< Empty, or one half-width per point (0: no bar).
  /// Empty, or one per point ("" for none): drawn small beside the point's marker
  /// (a marker is drawn for every labelled point) and as its hover title.
  std::vector<std::string> point_labels;
};

/// Frame, axes and labels of a chart.
struct ChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 440;   ///< Of the SVG's viewBox, in user units (pixels at scale 1).
  int height = 300;
  bool log_y = false;  ///< Logarithmic y axis; needs every y > 0.
  /// Ticks on x as (position, label); empty: evenly spaced round numbers. When set,
  /// the x range spans exactly these positions (plus a margin).
  std::vector<std::pair<double, std::string>> x_ticks;
  /// The same for a linear y axis (ignored with log_y).
  std::vector<std::pair<double, std::string>> y_ticks;
};

/// `series` drawn as one <svg> element (text escaped for HTML). Non-finite points
/// are dropped; a chart without points shows its frame and "no data".
STLAB_API std::string LineChartSvg(const std::vector<ChartSeries>& series,
                                   const ChartOptions& options);

/// About `target` round tick values (1, 2 or 5 times a power of ten apart) covering
/// [low, high].
STLAB_API std::vector<double> NiceTicks(double low, double high, int target);

/// `text` with &, <, >, " and ' escaped for HTML and SVG.
STLAB_API std::string HtmlEscape(const std::string& text);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_SVG_CHART_H_
