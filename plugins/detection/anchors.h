// RetinaNet anchors: A = |aspect_ratios| * |octave_scales| boxes per location of every
// feature level, laid out exactly as torchvision's AnchorGenerator lays them out.
#ifndef STLAB_PLUGINS_DETECTION_ANCHORS_H_
#define STLAB_PLUGINS_DETECTION_ANCHORS_H_

#include <cstdint>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "core/features.h"

namespace stlab::detection {

/// Anchor shapes. The defaults are RetinaNet's (Lin et al. 2017, as in torchvision's
/// retinanet_resnet50_fpn) for levels P3..P7 (strides 8..128): base size 4 * stride,
/// three octave scales and three aspect ratios, A = 9.
struct AnchorOptions {
  /// Anchor side in input pixels at octave scale 1, one per feature level, finest first.
  std::vector<double> base_sizes = {32, 64, 128, 256, 512};
  /// Multipliers of the base size: 2^0, 2^(1/3), 2^(2/3).
  std::vector<double> octave_scales = {1.0, 1.2599210498948732, 1.5874010519681994};
  /// Height / width ratios; each keeps the area of the square of the same size.
  std::vector<double> aspect_ratios = {0.5, 1.0, 2.0};
};

/// Height and width of one feature map, in cells.
struct GridSize {
  int64_t height = 0;
  int64_t width = 0;
};

/// The anchors of one image size.
struct Anchors {
  /// [sum_l H_l * W_l * A, 4] float32 (x1, y1, x2, y2) in input pixels. Level-major,
  /// then row y, column x, then anchor a (aspect-ratio-major, octave-scale-minor).
  at::Tensor boxes;
  /// H_l * W_l * A per level, in level order; they sum to boxes.size(0).
  std::vector<int64_t> num_per_level;
};

/// Grid sizes of `specs` for an input of height x width pixels: ceil(H / stride) by
/// ceil(W / stride), as core/features.h declares.
std::vector<GridSize> GridSizesForImage(const FeatureSpecs& specs, int64_t height, int64_t width);

/// Generates anchors for feature levels; immutable and thread-safe once created.
///
/// Convention (torchvision's): the anchor of cell (y, x) at stride s is centred on
/// pixel (x * s, y * s), the cell's top-left corner rather than its centre. The side
/// of an anchor is int(base_size * octave_scale) (torchvision truncates the sizes of
/// its RetinaNet anchors), its width size / sqrt(ratio) and height size * sqrt(ratio),
/// and its corners relative to the centre are rounded to whole pixels (ties to even),
/// all in float32, so the boxes equal torchvision's bit for bit.
class AnchorGenerator {
 public:
  /// Fails with InvalidArgument when a list is empty or a size or ratio is not positive.
  static absl::StatusOr<AnchorGenerator> Create(const AnchorOptions& options);

  /// A, the number of anchors at each location of every level.
  int64_t num_anchors_per_location() const { return num_per_location_; }
  /// Number of levels the options describe.
  int64_t num_levels() const { return static_cast<int64_t>(cell_anchors_.size()); }
  /// The A anchors of level `level` centred on (0, 0): [A, 4] float32 on the CPU.
  const at::Tensor& cell_anchors(int64_t level) const { return cell_anchors_.at(level); }

  /// Anchors on `device` for feature levels `specs` with feature maps `grid_sizes`
  /// (one per spec, same order). Fails with InvalidArgument when the counts of specs,
  /// grid sizes and base sizes differ, or a stride or grid size is not positive.
  absl::StatusOr<Anchors> Generate(const FeatureSpecs& specs,
                                   const std::vector<GridSize>& grid_sizes,
                                   at::Device device = at::kCPU) const;

 private:
  AnchorGenerator(std::vector<at::Tensor> cell_anchors, int64_t num_per_location)
      : cell_anchors_(std::move(cell_anchors)), num_per_location_(num_per_location) {}

  std::vector<at::Tensor> cell_anchors_;  // Per level, [A, 4] float32, CPU.
  int64_t num_per_location_;
};

}  // namespace stlab::detection

#endif  // STLAB_PLUGINS_DETECTION_ANCHORS_H_
