// Reading image files for the file-backed datasets: every failure becomes a Status
// that names the file, never an exception or an abort.
#ifndef STLAB_PLUGINS_DATASETS_IMAGE_IO_H_
#define STLAB_PLUGINS_DATASETS_IMAGE_IO_H_

#include <filesystem>

#include "ATen/core/Tensor.h"
#include "absl/status/statusor.h"
#include "opencv2/core.hpp"

namespace stlab::datasets {

/// Decodes the image file at `path` with OpenCV's `cv::imdecode(bytes, flags)`.
/// Errors: NotFound for a missing file; InvalidArgument for an empty file, bytes
/// OpenCV cannot decode (garbage, truncated PNG, unsupported format) and a JPEG
/// without an end-of-image marker (truncated: libjpeg would fill the missing part
/// with grey and only print a warning). Other libjpeg warnings ("Corrupt JPEG
/// data: ...") are printed by libjpeg and the image it recovered is returned.
absl::StatusOr<cv::Mat> DecodeImageFile(const std::filesystem::path& path, int flags);

/// Reads a JPEG or PNG (grey, colour or with alpha, 8 or 16 bit) as an [H, W, 3]
/// uint8 RGB contiguous tensor, the layout of Sample::image. EXIF orientation is
/// NOT applied: annotations (COCO, VOC) refer to the stored pixel grid.
absl::StatusOr<at::Tensor> ReadRgbImage(const std::filesystem::path& path);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_IMAGE_IO_H_
