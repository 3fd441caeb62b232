// Sample geometry shared by the augmentations: checking a sample's layout, mapping
// boxes under an axis-aligned scale and translation, clipping them to the image,
// and resampling image and mask onto a new canvas under the same map.
//
// Coordinates are continuous pixel coordinates: pixel (row i, column j) covers
// [j, j + 1) x [i, i + 1), its centre is (j + 0.5, i + 0.5), and a box (x1, y1,
// x2, y2) covers the pixels whose centres lie inside it.
#ifndef STLAB_PLUGINS_AUGMENT_GEOMETRY_H_
#define STLAB_PLUGINS_AUGMENT_GEOMETRY_H_

#include <array>
#include <cstdint>

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/sample.h"

namespace stlab::augment {

/// The map x' = scale_x * x + offset_x, y' = scale_y * y + offset_y.
struct ScaleTranslate {
  double scale_x = 1.0;
  double scale_y = 1.0;
  double offset_x = 0.0;
  double offset_y = 0.0;
};

/// An RGB pixel value, e.g. what a canvas is filled with outside the image.
using Rgb = std::array<uint8_t, 3>;

/// The mean pixel of Collate's default Normalization, rounded: {124, 116, 104}.
/// Padding with it gives 0 after normalization, as Collate's own padding does.
Rgb MeanPixel();

/// Checks the layout an augmentation relies on: image [H, W, 3] uint8; mask, if
/// defined, [H, W] uint8; soft_mask, if defined, [C, H, W] uint8 beside a mask;
/// boxes, if defined, [M, 4] float32 with labels [M] (labels may be undefined when
/// M = 0) and label_scores, if defined, [M] float32; ignore_boxes, if defined,
/// [K, 4] float32. The error names `op` and the sample's source.
absl::Status CheckSample(const Sample& sample, absl::string_view op);

/// Maps boxes [M, 4] float32 under `map`; a negative scale mirrors that axis and the
/// corners are swapped so that x1 <= x2 and y1 <= y2 still hold. Undefined boxes
/// stay undefined.
at::Tensor TransformBoxes(const at::Tensor& boxes, const ScaleTranslate& map);

/// Clips `sample.boxes` and `sample.ignore_boxes` to [0, width] x [0, height] and
/// removes the boxes (with their labels and label scores) left with no area, or with less than
/// `min_visible_fraction` of the area they had before clipping. Ignore boxes are
/// removed only when empty: any visible part of an ignored region stays ignored.
void ClipBoxes(Sample& sample, int64_t height, int64_t width, double min_visible_fraction = 0.0);

/// Resamples `sample` (which passed CheckSample) onto an out_height x out_width
/// canvas under `map` (scales > 0): the image bilinearly, the mask and each plane
/// of the soft mask by nearest neighbour, as cv::resize would (pixel centres map to
/// pixel centres, edges replicated), so a scale-only map is exactly a resize. Canvas
/// pixels that the mapped image does not cover are `fill` in the image, kIgnoreLabel
/// in the mask and 0 in the soft mask. Boxes are mapped, then clipped and filtered by ClipBoxes.
void WarpSample(Sample& sample, const ScaleTranslate& map, int64_t out_height, int64_t out_width,
                const Rgb& fill, double min_visible_fraction = 0.0);

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_GEOMETRY_H_
