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

TEST(LineChartSvgTest, PointLabelsAreDrawnBesideMarkersAndAsTitles) {
  ChartSeries series;
  series.x = {0.2, 0.6};
  series.y = {0.9, 0.7};
  series.point_labels = {"t <0.5>", ""};
  const std::string svg = LineChartSvg({series}, ChartOptions{});
  EXPECT_THAT(svg, HasSubstr("<title>t &lt;0.5&gt;</title></circle>"));
  EXPECT_THAT(svg, HasSubstr("font-size=\"10\" fill=\"#374151\">t &lt;0.5&gt;</text>"));
  // The unlabelled point of a line without markers gets none.
  size_t circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 1u);
}

TEST(LineChartSvgTest, GivenTicksSetTheAxesRanges) {
  ChartSeries series;
  series.x = {0.5};
  series.y = {0.5};
  ChartOptions options;
  options.width = 200 + 66 + 18;   // 200 units of plot between the margins
  options.height = 100 + 34 + 46;  // and 100 units high
  options.x_ticks = {{0.0, "zero"}, {1.0, "one"}};
  options.y_ticks = {{0.0, "low"}, {1.0, "high"}};
  const std::string svg = LineChartSvg({series}, options);
  EXPECT_THAT(svg, HasSubstr(">zero</text>"));
  EXPECT_THAT(svg, HasSubstr(">high</text>"));
  // 0.5 is the middle of [-0.06, 1.06] on both axes.
  EXPECT_THAT(svg, HasSubstr("<circle cx=\"166.0\" cy=\"84.0\""));
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
