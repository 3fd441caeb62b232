// Pictures of samples for people to look at: an image with its boxes (and class
// names) and its mask drawn on, and PNG encoding of images and label maps.
#ifndef STLAB_CORE_DATA_DRAWING_H_
#define STLAB_CORE_DATA_DRAWING_H_

#include <string>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// What DrawSample labels things with.
struct DrawingNames {
  /// Box label i is written as box_class_names[i] (the index when out of range).
  std::vector<std::string> box_class_names;
  /// Mask value 0 (background) is left undrawn; values 1.. are blended in a colour
  /// per value; kIgnoreLabel pixels are darkened.
  std::vector<std::string> mask_class_names;
};

/// `sample.image` ([H, W, 3] uint8 RGB) with its mask blended in (when defined)
/// and its boxes outlined with their class name (when defined); returns a new
/// [H, W, 3] uint8 RGB tensor. Box outlines and text are 1 pixel wide so that
/// small images stay readable. Errors when the image is not [H, W, 3] uint8 or the
/// mask is not [H, W].
STLAB_API absl::StatusOr<at::Tensor> DrawSample(const Sample& sample, const DrawingNames& names);

/// `left` and `right` ([H, W, 3] uint8, heights may differ) next to each other with
/// a 4-pixel grey gap, padded with black to the taller height.
STLAB_API absl::StatusOr<at::Tensor> SideBySide(const at::Tensor& left, const at::Tensor& right);

/// PNG bytes of an [H, W, 3] uint8 RGB image or an [H, W] uint8 label map (stored
/// as one 8-bit grey channel, values unchanged).
STLAB_API absl::StatusOr<std::string> EncodePng(const at::Tensor& image);

}  // namespace stlab

#endif  // STLAB_CORE_DATA_DRAWING_H_
