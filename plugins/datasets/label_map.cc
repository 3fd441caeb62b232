// Label maps and their stored values (see label_map.h).
#include "plugins/datasets/label_map.h"

#include <algorithm>
#include <cstring>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/sample.h"
#include "core/status.h"
#include "opencv2/imgcodecs.hpp"
#include "plugins/datasets/image_io.h"

namespace stlab::datasets {
namespace {

// "a..b", "a" or "" for the stored values [first, last].
std::string Range(int64_t first, int64_t last) {
  if (first > last) return "";
  return first == last ? absl::StrCat(first) : absl::StrCat(first, "..", last);
}

}  // namespace

absl::StatusOr<LabelValues> LabelValues::Create(int64_t num_classes, int64_t ignore_index) {
  if (num_classes < 1 || num_classes > kIgnoreLabel) {
    return absl::InvalidArgumentError(absl::StrCat(num_classes, " classes; a label map holds 1..",
                                                   int{kIgnoreLabel}, " (8-bit values, ",
                                                   int{kIgnoreLabel}, " = ignore)"));
  }
  if (ignore_index < 0 || ignore_index > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("ignore_index ", ignore_index, " is not an 8-bit value"));
  }
  LabelValues values;
  values.num_classes_ = num_classes;
  values.ignore_index_ = ignore_index;
  values.mask_value_.fill(-1);
  values.mask_value_[ignore_index] = kIgnoreLabel;
  for (int64_t k = 0; k < num_classes; ++k) {
    values.mask_value_[values.StoredValue(k)] = static_cast<int16_t>(k);
  }
  return values;
}

std::string LabelValues::Describe() const {
  const int64_t last = StoredValue(num_classes_ - 1);
  std::string classes = Range(0, std::min(last, ignore_index_ - 1));
  const std::string above = Range(ignore_index_ + 1, last);
  if (!above.empty()) classes = classes.empty() ? above : absl::StrCat(classes, ", ", above);
  return absl::StrCat("class values ", classes, " or ignore_index ", ignore_index_);
}

absl::Status LabelValues::Apply(const std::filesystem::path& path, at::Tensor& mask) const {
  const int64_t width = mask.size(1);
  uint8_t* data = mask.data_ptr<uint8_t>();
  for (int64_t i = 0, n = mask.numel(); i < n; ++i) {
    const int16_t value = mask_value_[data[i]];
    if (value < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          path.string(), ": pixel (", i % width, ", ", i / width, ") has value ", int{data[i]},
          "; expected ", Describe(), " (", num_classes_, " classes)"));
    }
    data[i] = static_cast<uint8_t>(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<at::Tensor> ReadLabelMap(const std::filesystem::path& path,
                                        const LabelValues& values) {
  STLAB_ASSIGN_OR_RETURN(const cv::Mat decoded, DecodeImageFile(path, cv::IMREAD_UNCHANGED));
  if (decoded.depth() != CV_8U || decoded.channels() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.string(), ": expected an 8-bit 1-channel label map (a grey PNG of class values), got ",
        decoded.channels(), " channel(s) of ", decoded.elemSize1() * 8, " bits",
        decoded.channels() > 1 ? " (a colour or palette PNG is read as colours)" : ""));
  }
  at::Tensor mask = at::empty({decoded.rows, decoded.cols}, at::kByte);
  for (int y = 0; y < decoded.rows; ++y) {
    std::memcpy(mask.data_ptr<uint8_t>() + static_cast<int64_t>(y) * decoded.cols,
                decoded.ptr<uint8_t>(y), decoded.cols);
  }
  STLAB_RETURN_IF_ERROR(values.Apply(path, mask));
  return mask;
}

}  // namespace stlab::datasets
