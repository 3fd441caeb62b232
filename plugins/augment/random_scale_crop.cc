// Scale jittering: draw a scale and a crop or pad position, then one warp of the sample.
#include "plugins/augment/random_scale_crop.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace stlab::augment {

absl::Status Validate(const RandomScaleCropOptions& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("size must be >= 1, got ", options.size));
  }
  if (!(options.scale_min > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scale_min must be > 0, got ", options.scale_min));
  }
  if (options.scale_min > options.scale_max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scale_min (", options.scale_min, ") must be <= scale_max (", options.scale_max, ")"));
  }
  if (options.min_visible_fraction < 0 || options.min_visible_fraction > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_visible_fraction must be in [0, 1], got ", options.min_visible_fraction));
  }
  return absl::OkStatus();
}

ScaleCropPlan RandomScaleCrop::Draw(int64_t height, int64_t width, Rng& rng) const {
  const int64_t size = options_.size;
  const double scale = rng.Uniform(options_.scale_min, options_.scale_max);
  const double ratio =
      scale * static_cast<double>(size) / static_cast<double>(std::max(height, width));
  ScaleCropPlan plan;
  plan.scaled_height = std::max<int64_t>(1, std::llround(ratio * static_cast<double>(height)));
  plan.scaled_width = std::max<int64_t>(1, std::llround(ratio * static_cast<double>(width)));
  auto offset = [&](int64_t scaled) -> int64_t {
    if (scaled > size) return -rng.UniformInt(0, scaled - size);
    if (scaled < size && options_.placement == Placement::kRandom) {
      return rng.UniformInt(0, size - scaled);
    }
    return 0;
  };
  plan.offset_x = offset(plan.scaled_width);
  plan.offset_y = offset(plan.scaled_height);
  return plan;
}

void RandomScaleCrop::ApplyPlan(Sample& sample, const ScaleCropPlan& plan) const {
  const ScaleTranslate map{
      .scale_x = static_cast<double>(plan.scaled_width) / static_cast<double>(sample.image.size(1)),
      .scale_y =
          static_cast<double>(plan.scaled_height) / static_cast<double>(sample.image.size(0)),
      .offset_x = static_cast<double>(plan.offset_x),
      .offset_y = static_cast<double>(plan.offset_y)};
  WarpSample(sample, map, options_.size, options_.size, options_.fill,
             options_.min_visible_fraction);
}

absl::Status RandomScaleCrop::Apply(Sample& sample, Rng& rng) const {
  STLAB_RETURN_IF_ERROR(CheckSample(sample, "random_scale_crop"));
  ApplyPlan(sample, Draw(sample.image.size(0), sample.image.size(1), rng));
  return absl::OkStatus();
}

}  // namespace stlab::augment
