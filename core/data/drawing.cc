// Drawing with OpenCV on copies of sample tensors.
#include "core/data/drawing.h"

#include <algorithm>
#include <array>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace stlab {
namespace {

// Distinct, saturated RGB colours, cycled by class index.
constexpr std::array<std::array<uint8_t, 3>, 10> kPalette = {{{230, 25, 75},
                                                              {60, 180, 75},
                                                              {255, 225, 25},
                                                              {0, 130, 200},
                                                              {245, 130, 48},
                                                              {145, 30, 180},
                                                              {70, 240, 240},
                                                              {240, 50, 230},
                                                              {210, 245, 60},
                                                              {250, 190, 212}}};

cv::Scalar ColorOf(int64_t index) {
  const auto& c = kPalette[static_cast<size_t>(index) % kPalette.size()];
  return cv::Scalar(c[0], c[1], c[2]);
}

absl::Status CheckRgb(const at::Tensor& image, const char* what) {
  if (!image.defined() || image.dim() != 3 || image.size(2) != 3 || image.scalar_type() != at::kByte) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be an [H, W, 3] uint8 image"));
  }
  return absl::OkStatus();
}

// An OpenCV header over a contiguous CPU tensor's memory (no copy).
cv::Mat Wrap(at::Tensor& t) {
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)),
                 t.dim() == 3 ? CV_8UC3 : CV_8UC1, t.data_ptr<uint8_t>());
}

}  // namespace

absl::StatusOr<at::Tensor> DrawSample(const Sample& sample, const DrawingNames& names) {
  if (absl::Status s = CheckRgb(sample.image, "the sample's image"); !s.ok()) return s;
  at::Tensor out = sample.image.contiguous().clone();
  cv::Mat canvas = Wrap(out);
  if (sample.mask.defined()) {
    if (sample.mask.dim() != 2 || sample.mask.size(0) != out.size(0) ||
        sample.mask.size(1) != out.size(1)) {
      return absl::InvalidArgumentError("the sample's mask must be [H, W] like its image");
    }
    const at::Tensor mask = sample.mask.to(at::kByte).contiguous();
    const uint8_t* m = mask.data_ptr<uint8_t>();
    for (int y = 0; y < canvas.rows; ++y) {
      auto* row = canvas.ptr<cv::Vec3b>(y);
      for (int x = 0; x < canvas.cols; ++x) {
        const uint8_t value = m[static_cast<size_t>(y) * canvas.cols + x];
        if (value == 0) continue;
        if (value == kIgnoreLabel) {
          row[x] = row[x] / 3;
          continue;
        }
        const cv::Scalar c = ColorOf(value - 1);
        for (int k = 0; k < 3; ++k) {
          row[x][k] = static_cast<uint8_t>((row[x][k] + 2 * static_cast<int>(c[k])) / 3);
        }
      }
    }
  }
  if (sample.boxes.defined() && sample.boxes.size(0) > 0) {
    const at::Tensor boxes = sample.boxes.to(at::kFloat).contiguous();
    const at::Tensor labels = sample.labels.defined() ? sample.labels.to(at::kLong).contiguous()
                                                      : at::zeros({boxes.size(0)}, at::kLong);
    for (int64_t i = 0; i < boxes.size(0); ++i) {
      const float* b = boxes[i].data_ptr<float>();
      const int64_t label = labels[i].item<int64_t>();
      const cv::Scalar color = ColorOf(label);
      const cv::Point top_left(static_cast<int>(b[0]), static_cast<int>(b[1]));
      const cv::Point bottom_right(static_cast<int>(b[2]) - 1, static_cast<int>(b[3]) - 1);
      cv::rectangle(canvas, top_left, bottom_right, color, 1);
      const std::string text = label >= 0 && label < static_cast<int64_t>(names.box_class_names.size())
                                   ? names.box_class_names[static_cast<size_t>(label)]
                                   : absl::StrCat(label);
      const cv::Point origin(std::max(0, top_left.x), std::max(8, top_left.y - 2));
      cv::putText(canvas, text, origin, cv::FONT_HERSHEY_PLAIN, 0.7, color, 1, cv::LINE_AA);
    }
  }
  return out;
}

absl::StatusOr<at::Tensor> SideBySide(const at::Tensor& left, const at::Tensor& right) {
  if (absl::Status s = CheckRgb(left, "the left image"); !s.ok()) return s;
  if (absl::Status s = CheckRgb(right, "the right image"); !s.ok()) return s;
  constexpr int64_t kGap = 4;
  const int64_t height = std::max(left.size(0), right.size(0));
  at::Tensor out = at::zeros({height, left.size(1) + kGap + right.size(1), 3}, at::kByte);
  out.narrow(0, 0, left.size(0)).narrow(1, 0, left.size(1)).copy_(left);
  out.narrow(1, left.size(1), kGap).fill_(128);
  out.narrow(0, 0, right.size(0)).narrow(1, left.size(1) + kGap, right.size(1)).copy_(right);
  return out;
}

absl::StatusOr<std::string> EncodePng(const at::Tensor& image) {
  const bool rgb = image.defined() && image.dim() == 3 && image.size(2) == 3;
  const bool grey = image.defined() && image.dim() == 2;
  if ((!rgb && !grey) || image.scalar_type() != at::kByte) {
    return absl::InvalidArgumentError("PNG encoding takes an [H, W, 3] or [H, W] uint8 tensor");
  }
  at::Tensor pixels = image.contiguous().clone();
  cv::Mat mat = Wrap(pixels);
  if (rgb) cv::cvtColor(mat, mat, cv::COLOR_RGB2BGR);
  std::vector<uchar> bytes;
  if (!cv::imencode(".png", mat, bytes)) return absl::InternalError("OpenCV could not encode a PNG");
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace stlab
