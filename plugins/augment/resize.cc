// Resize: the target shape from the options, then one scale-only warp of the sample.
#include "plugins/augment/resize.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/augment/geometry.h"

namespace stlab::augment {

absl::Status Validate(const ResizeOptions& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("size must be >= 1, got ", options.size));
  }
  if (options.max_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_size must be >= 0, got ", options.max_size));
  }
  if (options.max_size > 0 && options.mode != ResizeMode::kShorterSide) {
    return absl::InvalidArgumentError(
        "max_size caps the longer side in mode \"shorter_side\" only; leave it 0 in mode "
        "\"longer_side\", where size already is the longer side");
  }
  return absl::OkStatus();
}

std::array<int64_t, 2> ResizedShape(int64_t height, int64_t width, const ResizeOptions& options) {
  const double longer = static_cast<double>(std::max(height, width));
  const double shorter = static_cast<double>(std::min(height, width));
  const double size = static_cast<double>(options.size);
  double ratio = options.mode == ResizeMode::kLongerSide ? size / longer : size / shorter;
  if (options.mode == ResizeMode::kShorterSide && options.max_size > 0 &&
      ratio * longer > static_cast<double>(options.max_size)) {
    ratio = static_cast<double>(options.max_size) / longer;
  }
  auto scaled = [ratio](int64_t side) {
    return std::max<int64_t>(1, std::llround(ratio * static_cast<double>(side)));
  };
  return {scaled(height), scaled(width)};
}

absl::Status Resize::Apply(Sample& sample, Rng&) const {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "resize"));
  const int64_t height = sample.image.size(0);
  const int64_t width = sample.image.size(1);
  const auto [out_height, out_width] = ResizedShape(height, width, options_);
  if (out_height == height && out_width == width) return absl::OkStatus();
  const ScaleTranslate map{
      .scale_x = static_cast<double>(out_width) / static_cast<double>(width),
      .scale_y = static_cast<double>(out_height) / static_cast<double>(height)};
  // The scaled image covers the whole output, so the fill value is never seen.
  WarpSample(sample, map, out_height, out_width, Rgb{0, 0, 0});
  return absl::OkStatus();
}

}  // namespace stlab::augment
