// Sample geometry: layout checks, box maps and clipping, and resampling of image and
// mask with OpenCV (tensors wrapped as cv::Mat without copies).
#include "plugins/augment/geometry.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/sample.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace stlab::augment {
namespace {

// "[4, 4] Byte", or "undefined".
std::string Describe(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream out;
  out << t.sizes() << " " << t.scalar_type();
  return out.str();
}

bool IsBoxTensor(const at::Tensor& t) {
  return t.dim() == 2 && t.size(1) == 4 && t.scalar_type() == at::kFloat;
}

// A cv::Mat header over a contiguous uint8 [H, W] or [H, W, C] tensor's memory.
cv::Mat WrapBytes(const at::Tensor& t) {
  const int channels = t.dim() == 3 ? static_cast<int>(t.size(2)) : 1;
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC(channels),
                 t.data_ptr());
}

// The canvas pixel range [begin, end) covered by source pixels [0, size) mapped by
// x' = scale * x + offset.
std::array<int, 2> CoveredRange(int64_t size, double scale, double offset, int64_t out_size) {
  auto clamp = [out_size](double v) {
    return static_cast<int>(std::clamp<double>(std::round(v), 0.0, static_cast<double>(out_size)));
  };
  const int begin = clamp(offset);
  return {begin, std::max(begin, clamp(offset + scale * static_cast<double>(size)))};
}

// Resamples `src` into `dst` (a region of the canvas whose top-left canvas pixel is
// (x0, y0)) under `map`, with the inverse map given in pixel-index coordinates, as
// cv::warpAffine takes it with WARP_INVERSE_MAP.
void Resample(const cv::Mat& src, cv::Mat dst, const ScaleTranslate& map, int x0, int y0,
              int interpolation) {
  // Canvas pixel index i' (centre i' + x0 + 0.5) comes from source position
  // (i' + x0 + 0.5 - offset) / scale, i.e. pixel index that minus 0.5.
  const cv::Matx23d inverse(1.0 / map.scale_x, 0.0, (x0 + 0.5 - map.offset_x) / map.scale_x - 0.5,
                            0.0, 1.0 / map.scale_y, (y0 + 0.5 - map.offset_y) / map.scale_y - 0.5);
  // NOTE: dst is a region of the canvas with the requested size and type, so
  // warpAffine writes into the canvas instead of reallocating.
  cv::warpAffine(src, dst, inverse, dst.size(), interpolation | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
}

// Keeps the rows of `rows` (each tensor, when defined) where `keep` is true.
void KeepRows(std::initializer_list<at::Tensor*> rows, const at::Tensor& keep) {
  if (keep.all().item<bool>()) return;
  for (at::Tensor* tensor : rows) {
    if (tensor->defined()) *tensor = tensor->index({keep});
  }
}

at::Tensor Area(const at::Tensor& boxes) {
  return (boxes.select(1, 2) - boxes.select(1, 0)).clamp_min(0) *
         (boxes.select(1, 3) - boxes.select(1, 1)).clamp_min(0);
}

at::Tensor Clip(const at::Tensor& boxes, int64_t height, int64_t width) {
  const double w = static_cast<double>(width);
  const double h = static_cast<double>(height);
  return at::stack({boxes.select(1, 0).clamp(0, w), boxes.select(1, 1).clamp(0, h),
                    boxes.select(1, 2).clamp(0, w), boxes.select(1, 3).clamp(0, h)},
                   1);
}

}  // namespace

Rgb MeanPixel() {
  const Normalization normalization;
  Rgb mean;
  for (int c = 0; c < 3; ++c) mean[c] = static_cast<uint8_t>(std::lround(normalization.mean[c]));
  return mean;
}

absl::Status CheckSample(const Sample& sample, absl::string_view op) {
  auto error = [&](absl::string_view what, const at::Tensor& got) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", sample.source, ": ", what, ", got ", Describe(got)));
  };
  const at::Tensor& image = sample.image;
  if (!image.defined() || image.dim() != 3 || image.size(2) != 3 ||
      image.scalar_type() != at::kByte) {
    return error("image must be [H, W, 3] uint8", image);
  }
  if (sample.mask.defined() &&
      (sample.mask.dim() != 2 || sample.mask.size(0) != image.size(0) ||
       sample.mask.size(1) != image.size(1) || sample.mask.scalar_type() != at::kByte)) {
    return error(absl::StrCat("mask must be [", image.size(0), ", ", image.size(1), "] uint8"),
                 sample.mask);
  }
  if (sample.boxes.defined()) {
    if (!IsBoxTensor(sample.boxes)) return error("boxes must be [M, 4] float32", sample.boxes);
    const int64_t m = sample.boxes.size(0);
    const bool labels_fit =
        sample.labels.defined() ? sample.labels.dim() == 1 && sample.labels.size(0) == m : m == 0;
    if (!labels_fit)
      return error(absl::StrCat("labels must be [", m, "] like boxes"), sample.labels);
    if (sample.label_scores.defined() &&
        (sample.label_scores.dim() != 1 || sample.label_scores.size(0) != m ||
         sample.label_scores.scalar_type() != at::kFloat)) {
      return error(absl::StrCat("label_scores must be [", m, "] float32 like boxes"),
                   sample.label_scores);
    }
  }
  if (sample.soft_mask.defined() &&
      (!sample.mask.defined() || sample.soft_mask.dim() != 3 ||
       sample.soft_mask.size(1) != image.size(0) || sample.soft_mask.size(2) != image.size(1) ||
       sample.soft_mask.scalar_type() != at::kByte)) {
    return error(absl::StrCat("soft_mask must be [C, ", image.size(0), ", ", image.size(1),
                              "] uint8 beside a mask"),
                 sample.soft_mask);
  }
  if (sample.ignore_boxes.defined() && !IsBoxTensor(sample.ignore_boxes)) {
    return error("ignore_boxes must be [K, 4] float32", sample.ignore_boxes);
  }
  return absl::OkStatus();
}

at::Tensor TransformBoxes(const at::Tensor& boxes, const ScaleTranslate& map) {
  if (!boxes.defined() || boxes.size(0) == 0) return boxes;
  const at::Tensor b = boxes.to(at::kDouble);
  at::Tensor x1 = b.select(1, 0) * map.scale_x + map.offset_x;
  at::Tensor x2 = b.select(1, 2) * map.scale_x + map.offset_x;
  at::Tensor y1 = b.select(1, 1) * map.scale_y + map.offset_y;
  at::Tensor y2 = b.select(1, 3) * map.scale_y + map.offset_y;
  if (map.scale_x < 0) std::swap(x1, x2);
  if (map.scale_y < 0) std::swap(y1, y2);
  return at::stack({x1, y1, x2, y2}, 1).to(boxes.scalar_type());
}

void ClipBoxes(Sample& sample, int64_t height, int64_t width, double min_visible_fraction) {
  if (sample.boxes.defined() && sample.boxes.size(0) > 0) {
    const at::Tensor clipped = Clip(sample.boxes, height, width);
    const at::Tensor visible = Area(clipped);
    at::Tensor keep = visible > 0;
    if (min_visible_fraction > 0) keep &= visible >= Area(sample.boxes) * min_visible_fraction;
    sample.boxes = clipped;
    KeepRows({&sample.boxes, &sample.labels, &sample.label_scores}, keep);
  }
  if (sample.ignore_boxes.defined() && sample.ignore_boxes.size(0) > 0) {
    sample.ignore_boxes = Clip(sample.ignore_boxes, height, width);
    KeepRows({&sample.ignore_boxes}, Area(sample.ignore_boxes) > 0);
  }
}

void WarpSample(Sample& sample, const ScaleTranslate& map, int64_t out_height, int64_t out_width,
                const Rgb& fill, double min_visible_fraction) {
  const int64_t height = sample.image.size(0);
  const int64_t width = sample.image.size(1);
  const auto [x0, x1] = CoveredRange(width, map.scale_x, map.offset_x, out_width);
  const auto [y0, y1] = CoveredRange(height, map.scale_y, map.offset_y, out_height);
  const cv::Rect covered(x0, y0, x1 - x0, y1 - y0);

  const at::Tensor image = sample.image.contiguous();
  at::Tensor out_image = at::empty({out_height, out_width, 3}, at::kByte);
  cv::Mat canvas = WrapBytes(out_image);
  canvas.setTo(cv::Scalar(fill[0], fill[1], fill[2]));
  if (!covered.empty()) {
    Resample(WrapBytes(image), canvas(covered), map, x0, y0, cv::INTER_LINEAR);
  }
  sample.image = out_image;

  if (sample.mask.defined()) {
    const at::Tensor mask = sample.mask.contiguous();
    at::Tensor out_mask = at::full({out_height, out_width}, kIgnoreLabel, at::kByte);
    if (!covered.empty()) {
      Resample(WrapBytes(mask), WrapBytes(out_mask)(covered), map, x0, y0, cv::INTER_NEAREST);
    }
    sample.mask = out_mask;
  }
  if (sample.soft_mask.defined()) {
    const at::Tensor soft = sample.soft_mask.contiguous();
    at::Tensor out_soft = at::zeros({soft.size(0), out_height, out_width}, at::kByte);
    if (!covered.empty()) {
      for (int64_t c = 0; c < soft.size(0); ++c) {
        Resample(WrapBytes(soft[c]), WrapBytes(out_soft[c])(covered), map, x0, y0,
                 cv::INTER_NEAREST);
      }
    }
    sample.soft_mask = out_soft;
  }

  sample.boxes = TransformBoxes(sample.boxes, map);
  sample.ignore_boxes = TransformBoxes(sample.ignore_boxes, map);
  ClipBoxes(sample, out_height, out_width, min_visible_fraction);
}

}  // namespace stlab::augment
