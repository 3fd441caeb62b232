// LineChartSvg and NiceTicks: round ticks covering the data, escaped text, lines and
// error bars as SVG elements, a frame with "no data" when there is nothing to draw.
#include "core/suite/svg_chart.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stlab {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(NiceTicksTest, RoundEvenlySpacedTicksCoverTheRange) {
  const std::vector<double> ticks = NiceTicks(0.12, 0.36, 5);
  ASSERT_GE(ticks.size(), 3u);
  EXPECT_LE(ticks.front(), 0.12);
  EXPECT_GE(ticks.back(), 0.36);
  EXPECT_NEAR(ticks.front(), 0.1, 1e-12);
  EXPECT_NEAR(ticks[1] - ticks[0], 0.05, 1e-12);
}

TEST(NiceTicksTest, OneValueGetsARangeAroundIt) {
  const std::vector<double> ticks = NiceTicks(2.0, 2.0, 5);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_LT(ticks.front(), 2.0);
  EXPECT_GT(ticks.back(), 2.0);
}

TEST(LineChartSvgTest, DrawsLinesErrorBarsAndEscapedText) {
  ChartSeries series;
  series.x = {0.2, 0.5, 1.0};
  series.y = {0.1, 0.2, 0.3};
  series.error = {0.01, 0.0, 0.02};
  series.dashed = true;
  series.markers = true;
  ChartOptions options;
  options.title = "AP <S1 & S2>";
  const std::string svg = LineChartSvg({series}, options);
  EXPECT_THAT(svg, StartsWith("<svg"));
  EXPECT_THAT(svg, HasSubstr("AP &lt;S1 &amp; S2&gt;"));
  EXPECT_THAT(svg, HasSubstr("<polyline"));
  EXPECT_THAT(svg, HasSubstr("stroke-dasharray"));
  EXPECT_THAT(svg, HasSubstr("<circle"));
  EXPECT_THAT(svg, HasSubstr("<path d=\"M"));
}

TEST(LineChartSvgTest, NoFinitePointsShowsNoData) {
  ChartSeries series;
  series.x = {1.0};
  series.y = {NAN};
  const std::string svg = LineChartSvg({series}, ChartOptions{});
  EXPECT_THAT(svg, HasSubstr("no data"));
  EXPECT_THAT(svg, Not(HasSubstr("<polyline")));
}

}  // namespace
}  // namespace stlab
