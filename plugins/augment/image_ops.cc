// Pixel operations with OpenCV: lookup tables for the per-value ops, addWeighted for
// the blends, warpAffine for the geometric ones.
#include "plugins/augment/image_ops.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "opencv2/imgproc.hpp"

namespace stlab::augment {
namespace {

// The same map in pixel-index coordinates (index = continuous coordinate - 0.5),
// as cv::warpAffine takes it.
cv::Matx23d IndexMatrix(const Affine& m) {
  return cv::Matx23d(m.a, m.b, m.tx + 0.5 * (m.a + m.b) - 0.5,  //
                     m.c, m.d, m.ty + 0.5 * (m.c + m.d) - 0.5);
}

// Applies a 256-entry table per value (the same for the three channels).
template <typename F>
void ApplyTable(cv::Mat& image, F f) {
  cv::Mat lut(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) lut.at<uint8_t>(v) = cv::saturate_cast<uint8_t>(f(v));
  cv::LUT(image, lut, image);
}

// f * image + (1 - f) * degenerate, in place.
void Blend(cv::Mat& image, const cv::Mat& degenerate, double factor) {
  cv::addWeighted(image, factor, degenerate, 1.0 - factor, 0.0, image);
}

cv::Mat GreyRgb(const cv::Mat& image) {
  cv::Mat grey, rgb;
  cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  return rgb;
}

}  // namespace

Affine Rotation(double degrees, double cx, double cy) {
  const double t = degrees * std::numbers::pi / 180.0;
  const double cos = std::cos(t), sin = std::sin(t);
  // y points down, so a counterclockwise turn on screen is clockwise in (x, y).
  return {.a = cos, .b = sin, .tx = cx - cos * cx - sin * cy,
          .c = -sin, .d = cos, .ty = cy + sin * cx - cos * cy};
}

Affine ShearX(double level) { return {.b = level}; }
Affine ShearY(double level) { return {.c = level}; }
Affine Translation(double dx, double dy) { return {.tx = dx, .ty = dy}; }

void Warp(const cv::Mat& src, cv::Mat& dst, const Affine& map, int interpolation,
          const cv::Scalar& fill) {
  cv::warpAffine(src, dst, IndexMatrix(map), src.size(), interpolation, cv::BORDER_CONSTANT,
                 fill);
}

void WarpImage(cv::Mat& image, const Affine& map, const cv::Scalar& fill) {
  cv::Mat out;
  Warp(image, out, map, cv::INTER_LINEAR, fill);
  out.copyTo(image);
}

void FlipImage(cv::Mat& image) {
  cv::Mat out;
  cv::flip(image, out, 1);
  out.copyTo(image);
}

void AutoContrast(cv::Mat& image) {
  cv::Mat channels[3];
  cv::split(image, channels);
  cv::Mat lut(1, 256, CV_8UC3);
  for (int c = 0; c < 3; ++c) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(channels[c], &lo, &hi);
    const double scale = hi > lo ? 255.0 / (hi - lo) : 1.0;
    const double offset = hi > lo ? -lo * scale : 0.0;
    for (int v = 0; v < 256; ++v) {
      lut.at<cv::Vec3b>(v)[c] = cv::saturate_cast<uint8_t>(v * scale + offset);
    }
  }
  cv::LUT(image, lut, image);
}

void Equalize(cv::Mat& image) {
  int histogram[3][256] = {};
  for (int row = 0; row < image.rows; ++row) {
    const uint8_t* p = image.ptr<uint8_t>(row);
    for (int col = 0; col < image.cols; ++col, p += 3) {
      ++histogram[0][p[0]];
      ++histogram[1][p[1]];
      ++histogram[2][p[2]];
    }
  }
  cv::Mat lut(1, 256, CV_8UC3);
  for (int c = 0; c < 3; ++c) {
    const int* h = histogram[c];
    int last = 255;
    while (last > 0 && h[last] == 0) --last;
    const int total = image.rows * image.cols;
    const int step = (total - h[last]) / 255;
    int below = 0;
    for (int v = 0; v < 256; ++v) {
      lut.at<cv::Vec3b>(v)[c] =
          step == 0 ? static_cast<uint8_t>(v) : cv::saturate_cast<uint8_t>((below + step / 2) / step);
      below += h[v];
    }
  }
  cv::LUT(image, lut, image);
}

void Invert(cv::Mat& image) { cv::bitwise_not(image, image); }

void Posterize(cv::Mat& image, int bits) {
  const int mask = bits <= 0 ? 0 : (0xFF << (8 - std::min(bits, 8))) & 0xFF;
  ApplyTable(image, [mask](int v) { return v & mask; });
}

void Solarize(cv::Mat& image, int threshold) {
  ApplyTable(image, [threshold](int v) { return v < threshold ? v : 255 - v; });
}

void SolarizeAdd(cv::Mat& image, int addition, int threshold) {
  ApplyTable(image, [=](int v) { return v < threshold ? v + addition : v; });
}

void Color(cv::Mat& image, double factor) { Blend(image, GreyRgb(image), factor); }

void Contrast(cv::Mat& image, double factor) {
  cv::Mat grey;
  cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
  const double mean = std::round(cv::mean(grey)[0]);
  image.convertTo(image, -1, factor, (1.0 - factor) * mean);
}

void Brightness(cv::Mat& image, double factor) { image.convertTo(image, -1, factor, 0.0); }

void Sharpness(cv::Mat& image, double factor) {
  if (image.rows < 3 || image.cols < 3) return;  // Only border pixels: nothing to smooth.
  const cv::Matx33f kernel(1, 1, 1, 1, 5, 1, 1, 1, 1);
  cv::Mat smooth;
  cv::filter2D(image, smooth, -1, kernel * (1.0f / 13.0f), cv::Point(-1, -1), 0.0,
               cv::BORDER_REPLICATE);
  image.row(0).copyTo(smooth.row(0));
  image.row(image.rows - 1).copyTo(smooth.row(image.rows - 1));
  image.col(0).copyTo(smooth.col(0));
  image.col(image.cols - 1).copyTo(smooth.col(image.cols - 1));
  Blend(image, smooth, factor);
}

void FillRect(cv::Mat& image, const cv::Rect& rect, const cv::Scalar& fill) {
  const cv::Rect inside = rect & cv::Rect(0, 0, image.cols, image.rows);
  if (!inside.empty()) image(inside).setTo(fill);
}

}  // namespace stlab::augment
