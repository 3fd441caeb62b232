// Pixel operations of the AutoAugment and RandAugment detection ops on 8-bit RGB
// images: PIL's ImageOps/ImageEnhance semantics, as the TF reference
// (tensorflow/tpu models/official/detection/utils/autoaugment_utils.py)
// re-implements them, and affine warps. OpenCV only, so that this file compiles
// fast and can run on any region of an image.
#ifndef STLAB_PLUGINS_AUGMENT_IMAGE_OPS_H_
#define STLAB_PLUGINS_AUGMENT_IMAGE_OPS_H_

#include <array>

#include "opencv2/core.hpp"

namespace stlab::augment {

/// The map x' = a x + b y + tx, y' = c x + d y + ty in continuous pixel
/// coordinates (pixel (row i, column j) covers [j, j + 1) x [i, i + 1)).
struct Affine {
  double a = 1.0, b = 0.0, tx = 0.0;
  double c = 0.0, d = 1.0, ty = 0.0;

  std::array<double, 2> Map(double x, double y) const {
    return {a * x + b * y + tx, c * x + d * y + ty};
  }
};

/// Rotation by `degrees` about (cx, cy); positive turns counterclockwise as the
/// image is displayed (y pointing down), as tf.contrib.image.rotate does.
Affine Rotation(double degrees, double cx, double cy);
/// x' = x + level * y (shear about the top-left corner, as the TF reference).
Affine ShearX(double level);
/// y' = y + level * x.
Affine ShearY(double level);
/// x' = x + dx, y' = y + dy.
Affine Translation(double dx, double dy);

// Every function below changes `image` (CV_8UC3 RGB, possibly a region of a larger
// image) in place. Results are rounded to the nearest integer and saturated.

/// Maps `src` under `map` into `dst` (allocated as src's size and type unless it
/// already is); `interpolation` is cv::INTER_LINEAR or cv::INTER_NEAREST, pixels that
/// come from outside `src` are `fill`.
void Warp(const cv::Mat& src, cv::Mat& dst, const Affine& map, int interpolation,
          const cv::Scalar& fill);
/// Warp in place, bilinear.
void WarpImage(cv::Mat& image, const Affine& map, const cv::Scalar& fill);
/// Mirrors left-right.
void FlipImage(cv::Mat& image);
/// Per channel, stretches [min, max] to [0, 255]; a constant channel is unchanged.
void AutoContrast(cv::Mat& image);
/// Per channel histogram equalization with PIL's lookup table: step = (pixels -
/// count of the last used level) / 255, lut[v] = (pixels below v + step / 2) / step
/// (integer divisions); a channel with step 0 is unchanged.
// NOTE: not cv::equalizeHist, whose table differs from PIL's by a level here and
// there; the policies were searched with PIL's.
void Equalize(cv::Mat& image);
/// v -> 255 - v.
void Invert(cv::Mat& image);
/// Keeps the `bits` (0-8) high bits of every value; 0 bits gives black.
void Posterize(cv::Mat& image, int bits);
/// Values >= threshold become 255 - v.
void Solarize(cv::Mat& image, int threshold);
/// Values < threshold get `addition` added (saturated).
void SolarizeAdd(cv::Mat& image, int addition, int threshold = 128);
/// Blends with the grey image: f * v + (1 - f) * grey (f = 0 grey, 1 unchanged).
void Color(cv::Mat& image, double factor);
/// Blends with the mean grey level of the image.
// NOTE: PIL's semantics; the TF reference's Contrast blends with (pixel count /
// 256), a known bug that makes its degenerate image depend on the image size.
void Contrast(cv::Mat& image, double factor);
/// Blends with black: f * v.
void Brightness(cv::Mat& image, double factor);
/// Blends with PIL's SMOOTH filter ([1 1 1; 1 5 1; 1 1 1] / 13; border pixels kept).
void Sharpness(cv::Mat& image, double factor);
/// Sets the part of `rect` inside the image to `fill`.
void FillRect(cv::Mat& image, const cv::Rect& rect, const cv::Scalar& fill);

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_IMAGE_OPS_H_
