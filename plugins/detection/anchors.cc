// Anchor generation: per-level cell anchors computed once (torchvision's arithmetic,
// float32), then shifted over each feature grid.
#include "plugins/detection/anchors.h"

#include <utility>

#include "ATen/ATen.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace stlab::detection {
namespace {

absl::Status CheckPositive(const std::vector<double>& values, const char* name) {
  if (values.empty())
    return absl::InvalidArgumentError(absl::StrCat("anchors: ", name, " is empty"));
  for (double v : values) {
    if (!(v > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("anchors: ", name, " must be positive, got ", v));
    }
  }
  return absl::OkStatus();
}

// [A, 4] float32 anchors centred on (0, 0), A = ratios x sizes, ratio-major.
at::Tensor CellAnchors(const std::vector<float>& sizes, const std::vector<double>& ratios) {
  const at::Tensor scales = at::tensor(sizes, at::kFloat);
  const at::Tensor h_ratios =
      at::sqrt(at::tensor(std::vector<float>(ratios.begin(), ratios.end()), at::kFloat));
  const at::Tensor w_ratios = 1 / h_ratios;
  const at::Tensor ws = (w_ratios.unsqueeze(1) * scales.unsqueeze(0)).reshape({-1});
  const at::Tensor hs = (h_ratios.unsqueeze(1) * scales.unsqueeze(0)).reshape({-1});
  return (at::stack({-ws, -hs, ws, hs}, 1) / 2).round();
}

}  // namespace

std::vector<GridSize> GridSizesForImage(const FeatureSpecs& specs, int64_t height, int64_t width) {
  std::vector<GridSize> sizes;
  sizes.reserve(specs.size());
  for (const FeatureSpec& spec : specs) {
    sizes.push_back(
        {(height + spec.stride - 1) / spec.stride, (width + spec.stride - 1) / spec.stride});
  }
  return sizes;
}

absl::StatusOr<AnchorGenerator> AnchorGenerator::Create(const AnchorOptions& options) {
  STLAB_RETURN_IF_ERROR(CheckPositive(options.base_sizes, "base_sizes"));
  STLAB_RETURN_IF_ERROR(CheckPositive(options.octave_scales, "octave_scales"));
  STLAB_RETURN_IF_ERROR(CheckPositive(options.aspect_ratios, "aspect_ratios"));
  std::vector<at::Tensor> cells;
  for (double base : options.base_sizes) {
    std::vector<float> sizes;
    for (double scale : options.octave_scales) {
      // NOTE: truncated like torchvision's int(x * 2 ** (k / 3)), e.g. 32 -> 32, 40, 50.
      const auto size = static_cast<int64_t>(base * scale);
      if (size < 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "anchors: base size ", base, " x octave scale ", scale, " is under one pixel"));
      }
      sizes.push_back(static_cast<float>(size));
    }
    cells.push_back(CellAnchors(sizes, options.aspect_ratios));
  }
  const auto per_location =
      static_cast<int64_t>(options.octave_scales.size() * options.aspect_ratios.size());
  return AnchorGenerator(std::move(cells), per_location);
}

absl::StatusOr<Anchors> AnchorGenerator::Generate(const FeatureSpecs& specs,
                                                  const std::vector<GridSize>& grid_sizes,
                                                  at::Device device) const {
  if (specs.size() != cell_anchors_.size() || grid_sizes.size() != specs.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "anchors: ", cell_anchors_.size(), " base sizes, ", specs.size(), " feature levels and ",
        grid_sizes.size(), " grid sizes; they must match one to one"));
  }
  Anchors anchors;
  std::vector<at::Tensor> levels;
  const at::TensorOptions float_options = at::TensorOptions(at::kFloat).device(device);
  for (size_t l = 0; l < specs.size(); ++l) {
    const FeatureSpec& spec = specs[l];
    const GridSize& grid = grid_sizes[l];
    if (spec.stride <= 0 || grid.height <= 0 || grid.width <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("anchors: level '", spec.name, "' has stride ",
                                                     spec.stride, " and grid ", grid.height, "x",
                                                     grid.width, "; all must be positive"));
    }
    const at::Tensor xs = at::arange(grid.width, float_options) * static_cast<double>(spec.stride);
    const at::Tensor ys = at::arange(grid.height, float_options) * static_cast<double>(spec.stride);
    const std::vector<at::Tensor> yx = at::meshgrid({ys, xs}, "ij");
    const at::Tensor sx = yx[1].reshape({-1});
    const at::Tensor sy = yx[0].reshape({-1});
    const at::Tensor shifts = at::stack({sx, sy, sx, sy}, 1);  // [H * W, 4]
    const at::Tensor cell = cell_anchors_[l].to(device);       // [A, 4]
    levels.push_back((shifts.unsqueeze(1) + cell.unsqueeze(0)).reshape({-1, 4}));
    anchors.num_per_level.push_back(levels.back().size(0));
  }
  anchors.boxes = at::cat(levels, 0);
  return anchors;
}

}  // namespace stlab::detection
