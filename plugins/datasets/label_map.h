// Label maps: images whose pixel values are classes (CamVid, Cityscapes train IDs,
// ADE20K, VOC's SegmentationClass), and how their stored values become the values
// of Sample::mask.
//
// A dataset has N classes and one stored value, `ignore_index`, that marks pixels
// without a label. Every other stored value, in increasing order, is the next class:
// value v is class v below ignore_index and class v - 1 above it. So ignore_index 255
// (VOC, Cityscapes train IDs) or N (CamVid's 11) keeps the values as they are, and
// ignore_index 0 (ADE20K) shifts them down by one (mmsegmentation's
// reduce_zero_label). Pixels at ignore_index become kIgnoreLabel, which the losses,
// mIoU and augmentations skip. Any other value is an error naming the file, the
// pixel and the value, never a silent class.
#ifndef STLAB_PLUGINS_DATASETS_LABEL_MAP_H_
#define STLAB_PLUGINS_DATASETS_LABEL_MAP_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"

namespace stlab::datasets {

/// The stored value -> mask value table of N classes and an ignore_index.
class LabelValues {
 public:
  /// `num_classes` in [1, 255] (mask values are 8-bit and 255 is kIgnoreLabel),
  /// `ignore_index` in [0, 255].
  static absl::StatusOr<LabelValues> Create(int64_t num_classes, int64_t ignore_index);

  int64_t num_classes() const { return num_classes_; }
  int64_t ignore_index() const { return ignore_index_; }
  /// The value class `k` is stored as.
  int64_t StoredValue(int64_t k) const { return k < ignore_index_ ? k : k + 1; }

  /// Replaces the stored values of `mask` ([H, W] uint8, contiguous) by classes and
  /// kIgnoreLabel, in place. Any other value is an InvalidArgument error naming
  /// `path`, the first such pixel (x, y) and its value.
  absl::Status Apply(const std::filesystem::path& path, at::Tensor& mask) const;

  /// The stored values accepted, e.g. "class values 0..10 or ignore_index 11".
  std::string Describe() const;

 private:
  LabelValues() = default;

  int64_t num_classes_ = 0;
  int64_t ignore_index_ = 0;
  std::array<int16_t, 256> mask_value_{};  // -1 where the stored value is invalid.
};

/// Reads the label map at `path` (an 8-bit 1-channel image, a grey PNG) as an
/// [H, W] uint8 mask through `values`. Errors name the file: missing, undecodable,
/// not 8-bit or not 1-channel (a palette or colour PNG is decoded as colour), or a
/// value `values` rejects.
absl::StatusOr<at::Tensor> ReadLabelMap(const std::filesystem::path& path,
                                        const LabelValues& values);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_LABEL_MAP_H_
