// Collation of samples into a padded batch tensor for the model.
#ifndef STLAB_CORE_DATA_BATCH_H_
#define STLAB_CORE_DATA_BATCH_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ATen/core/Tensor.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

struct Batch {
  /// [N, 3, H, W] float32, normalized, zero (after normalization) padded at the
  /// bottom and right so that H and W are multiples of the size divisor. Box
  /// coordinates need no change: padding only extends the canvas.
  at::Tensor images;
  /// [N, H, W] uint8, padded with kIgnoreLabel; undefined when samples have no mask.
  at::Tensor masks;
  /// [N, C, H, W] float32 target class probabilities (Sample::soft_mask
  /// dequantized and normalized to sum to 1 at each pixel), zero padded; undefined
  /// when samples have no soft mask.
  at::Tensor soft_masks;
  /// The samples' own size {H, W} before padding.
  std::vector<std::array<int64_t, 2>> image_sizes;
  /// The samples (boxes, labels, ids) in batch order, images released.
  std::vector<Sample> samples;
};

/// Stacks `samples` (each image [H, W, 3] uint8) into a Batch. Either every sample
/// has a mask or none does, and likewise a soft mask; a mask must match its image's
/// size, a soft mask too, with the same number of classes in every sample.
STLAB_API absl::StatusOr<Batch> Collate(std::vector<Sample> samples, int64_t size_divisor,
                                        const Normalization& normalization = {});

}  // namespace stlab

#endif  // STLAB_CORE_DATA_BATCH_H_
