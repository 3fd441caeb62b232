// Colour jitter: the adjustments on a float copy of the image with OpenCV, rounded
// back to uint8 once.
#include "plugins/augment/color_jitter.h"

#include <algorithm>
#include <cmath>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/shuffle.h"
#include "core/status.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"
#include "plugins/augment/geometry.h"

namespace stlab::augment {
namespace {

cv::Mat WrapImage(const at::Tensor& image) {
  return cv::Mat(static_cast<int>(image.size(0)), static_cast<int>(image.size(1)), CV_8UC3,
                 image.data_ptr());
}

void ClampToBytes(cv::Mat& pixels) {
  cv::min(pixels, 255.0, pixels);
  cv::max(pixels, 0.0, pixels);
}

// `pixels` (float RGB) blended with `other`: f * pixels + (1 - f) * other, clamped.
void Blend(cv::Mat& pixels, const cv::Mat& other, double f) {
  cv::addWeighted(pixels, f, other, 1.0 - f, 0.0, pixels);
  ClampToBytes(pixels);
}

cv::Mat Grey(const cv::Mat& pixels) {
  cv::Mat grey;
  cv::cvtColor(pixels, grey, cv::COLOR_RGB2GRAY);
  return grey;
}

void RotateHue(cv::Mat& pixels, double turns) {
  cv::Mat hsv;
  // NOTE: float HSV keeps V in the input's units (0-255 here) and H in degrees.
  cv::cvtColor(pixels, hsv, cv::COLOR_RGB2HSV);
  const float shift = static_cast<float>(turns * 360.0);
  for (int row = 0; row < hsv.rows; ++row) {
    float* p = hsv.ptr<float>(row);
    for (int col = 0; col < hsv.cols; ++col, p += 3) {
      float h = std::fmod(p[0] + shift, 360.0f);
      p[0] = h < 0 ? h + 360.0f : h;
    }
  }
  cv::cvtColor(hsv, pixels, cv::COLOR_HSV2RGB);
}

// max(0, 1 - s) .. 1 + s.
double DrawFactor(double strength, Rng& rng) {
  return rng.Uniform(std::max(0.0, 1.0 - strength), 1.0 + strength);
}

}  // namespace

absl::Status Validate(const ColorJitterOptions& options) {
  auto non_negative = [](const char* name, double value) {
    return value >= 0
               ? absl::OkStatus()
               : absl::InvalidArgumentError(absl::StrCat(name, " must be >= 0, got ", value));
  };
  STLAB_RETURN_IF_ERROR(non_negative("brightness", options.brightness));
  STLAB_RETURN_IF_ERROR(non_negative("contrast", options.contrast));
  STLAB_RETURN_IF_ERROR(non_negative("saturation", options.saturation));
  if (!(options.hue >= 0 && options.hue <= 0.5)) {
    return absl::InvalidArgumentError(absl::StrCat("hue must be in [0, 0.5], got ", options.hue));
  }
  if (!(options.probability >= 0 && options.probability <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability must be in [0, 1], got ", options.probability));
  }
  return absl::OkStatus();
}

at::Tensor AdjustColors(const at::Tensor& image, const std::vector<ColorStep>& steps) {
  const at::Tensor src = image.contiguous();
  cv::Mat pixels;
  WrapImage(src).convertTo(pixels, CV_32FC3);
  for (const ColorStep& step : steps) {
    switch (step.adjustment) {
      case ColorAdjustment::kBrightness:
        pixels *= step.factor;
        ClampToBytes(pixels);
        break;
      case ColorAdjustment::kContrast: {
        const cv::Scalar mean = cv::mean(Grey(pixels));
        Blend(pixels, cv::Mat(pixels.size(), CV_32FC3, cv::Scalar::all(mean[0])), step.factor);
        break;
      }
      case ColorAdjustment::kSaturation: {
        cv::Mat grey_rgb;
        cv::cvtColor(Grey(pixels), grey_rgb, cv::COLOR_GRAY2RGB);
        Blend(pixels, grey_rgb, step.factor);
        break;
      }
      case ColorAdjustment::kHue:
        RotateHue(pixels, step.factor);
        break;
    }
  }
  at::Tensor out = at::empty_like(src);
  cv::Mat out_pixels = WrapImage(out);
  pixels.convertTo(out_pixels, CV_8UC3);  // Rounds to nearest and saturates.
  return out;
}

std::vector<ColorStep> ColorJitter::Draw(Rng& rng) const {
  if (!rng.Bernoulli(options_.probability)) return {};
  std::vector<ColorAdjustment> order = {ColorAdjustment::kBrightness, ColorAdjustment::kContrast,
                                        ColorAdjustment::kSaturation, ColorAdjustment::kHue};
  Shuffle(order, rng);
  const bool enabled[4] = {options_.brightness > 0, options_.contrast > 0, options_.saturation > 0,
                           options_.hue > 0};
  double factors[4] = {};
  if (enabled[0]) factors[0] = DrawFactor(options_.brightness, rng);
  if (enabled[1]) factors[1] = DrawFactor(options_.contrast, rng);
  if (enabled[2]) factors[2] = DrawFactor(options_.saturation, rng);
  if (enabled[3]) factors[3] = rng.Uniform(-options_.hue, options_.hue);
  std::vector<ColorStep> steps;
  for (ColorAdjustment a : order) {
    const int i = static_cast<int>(a);
    if (enabled[i]) steps.push_back({a, factors[i]});
  }
  return steps;
}

absl::Status ColorJitter::Apply(Sample& sample, Rng& rng) const {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "color_jitter"));
  const std::vector<ColorStep> steps = Draw(rng);
  if (!steps.empty()) sample.image = AdjustColors(sample.image, steps);
  return absl::OkStatus();
}

}  // namespace stlab::augment
