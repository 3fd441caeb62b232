// COCO RLE decoding and polygon rasterisation (see coco_mask.h).
#include "plugins/datasets/coco_mask.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"

namespace stlab::datasets {

absl::StatusOr<std::vector<uint32_t>> DecodeRleCounts(std::string_view text) {
  constexpr int kMaxGroups = 12;  // 60 bits: any 32-bit count or difference fits.
  std::vector<uint32_t> counts;
  size_t p = 0;
  while (p < text.size()) {
    int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p == text.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("RLE string ends inside count ", counts.size()));
      }
      const int c = static_cast<unsigned char>(text[p]) - '0';
      if (c < 0 || c > 63 || k == kMaxGroups) {
        return absl::InvalidArgumentError(
            absl::StrCat("RLE string: character '", std::string(1, text[p]), "' at offset ", p,
                         k == kMaxGroups ? " continues an overlong count" : " is not in '0'..'o'"));
      }
      x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10) != 0) x -= int64_t{1} << (5 * k);  // Sign-extend.
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0 || x > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat("RLE string: count ", counts.size(), " is ", x, ", not in [0, 2^32)"));
    }
    counts.push_back(static_cast<uint32_t>(x));
  }
  return counts;
}

absl::Status CheckRleSize(const CocoRle& rle) {
  uint64_t total = 0;
  for (const uint32_t c : rle.counts) total += c;
  // Unsigned, so that no size overflows the product.
  const uint64_t pixels = static_cast<uint64_t>(rle.height) * static_cast<uint64_t>(rle.width);
  if (rle.height < 0 || rle.width < 0 || total != pixels) {
    return absl::InvalidArgumentError(
        absl::StrCat("RLE counts sum to ", total, " pixels, but size ", rle.height, " x ",
                     rle.width, rle.height < 0 || rle.width < 0 ? " is negative"
                                                                : absl::StrCat(" has ", pixels)));
  }
  return absl::OkStatus();
}

void PaintRle(const CocoRle& rle, uint8_t value, cv::Mat& mask) {
  const int64_t h = rle.height;
  int64_t start = 0;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    const int64_t end = start + rle.counts[i];
    if (i % 2 == 1) {
      for (int64_t k = start; k < end; ++k)
        mask.at<uint8_t>(static_cast<int>(k % h), static_cast<int>(k / h)) = value;
    }
    start = end;
  }
}

void PaintPolygons(std::span<const CocoPolygon> polygons, uint8_t value, cv::Mat& mask) {
  std::vector<double> crossings;
  for (const CocoPolygon& polygon : polygons) {
    const size_t n = polygon.size() / 2;
    if (n < 3) continue;
    const auto x = [&](size_t i) { return static_cast<double>(polygon[2 * (i % n)]); };
    const auto y = [&](size_t i) { return static_cast<double>(polygon[2 * (i % n) + 1]); };
    double y_min = y(0);
    double y_max = y(0);
    for (size_t i = 1; i < n; ++i) {
      y_min = std::min(y_min, y(i));
      y_max = std::max(y_max, y(i));
    }
    const int row_begin = static_cast<int>(std::max(0.0, std::floor(y_min)));
    const int row_end = static_cast<int>(std::min<double>(mask.rows, std::ceil(y_max)));
    for (int row = row_begin; row < row_end; ++row) {
      // Where the edges cross the horizontal line through this row's pixel centres;
      // an edge counts when exactly one end is above (half-open: no double counts).
      const double yc = row + 0.5;
      crossings.clear();
      for (size_t i = 0; i < n; ++i) {
        const double y0 = y(i);
        const double y1 = y(i + 1);
        if ((y0 <= yc) != (y1 <= yc))
          crossings.push_back(x(i) + (yc - y0) * (x(i + 1) - x(i)) / (y1 - y0));
      }
      std::sort(crossings.begin(), crossings.end());
      uint8_t* pixels = mask.ptr<uint8_t>(row);
      for (size_t j = 0; j + 1 < crossings.size(); j += 2) {
        // Columns whose centre c + 0.5 lies in [crossings[j], crossings[j + 1]).
        const double first = std::max(0.0, std::ceil(crossings[j] - 0.5));
        const double last = std::min<double>(mask.cols, std::ceil(crossings[j + 1] - 0.5));
        for (int col = static_cast<int>(first); col < static_cast<int>(last); ++col)
          pixels[col] = value;
      }
    }
  }
}

}  // namespace stlab::datasets
