// Image file decoding with OpenCV (see image_io.h).
#include "plugins/datasets/image_io.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace stlab::datasets {
namespace {

bool StartsWith(const std::vector<uchar>& bytes, std::initializer_list<uchar> prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// NOTE: a JPEG cut short in its entropy-coded data decodes "successfully": libjpeg
// warns and pads the missing rows with grey. Inside entropy-coded data 0xFF is
// always followed by 0x00 or a restart marker, so a missing FF D9 (end of image)
// reliably marks truncation; searching from the end also accepts files with
// trailing bytes after the image (some cameras append data there). A truncated
// file whose EXIF thumbnail still holds an FF D9 slips through with the warning.
bool HasJpegEnd(const std::vector<uchar>& bytes) {
  constexpr std::array<uchar, 2> kEnd = {0xFF, 0xD9};
  return std::search(bytes.rbegin(), bytes.rend(), kEnd.rbegin(), kEnd.rend()) != bytes.rend();
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeImageFile(const std::filesystem::path& path, int flags) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": image file not found"));
  }
  std::ifstream file(path, std::ios::binary);
  std::vector<uchar> bytes;
  if (file.is_open()) bytes.assign(std::istreambuf_iterator<char>(file), {});
  if (!file.is_open() || file.bad()) {
    return absl::UnavailableError(absl::StrCat(path.string(), ": cannot read the image file"));
  }
  if (bytes.empty()) return absl::InvalidArgumentError(absl::StrCat(path.string(), ": empty file"));
  if (StartsWith(bytes, {0xFF, 0xD8}) && !HasJpegEnd(bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": truncated JPEG (no end-of-image marker)"));
  }
  cv::Mat image;
  try {
    image = cv::imdecode(bytes, flags);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": cannot decode the image: ", e.what()));
  }
  if (image.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.string(), ": cannot decode the image (corrupt, truncated or not a JPEG/PNG)"));
  }
  return image;
}

absl::StatusOr<at::Tensor> ReadRgbImage(const std::filesystem::path& path) {
  absl::StatusOr<cv::Mat> bgr =
      DecodeImageFile(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (!bgr.ok()) return bgr.status();
  at::Tensor rgb = at::empty({bgr->rows, bgr->cols, 3}, at::kByte);
  // The tensor owns the memory; cvtColor writes into it through this header.
  cv::Mat out(bgr->rows, bgr->cols, CV_8UC3, rgb.data_ptr());
  cv::cvtColor(*bgr, out, cv::COLOR_BGR2RGB);
  return rgb;
}

}  // namespace stlab::datasets
