// COCO instance segmentations as pixels: decoding run-length encodings (RLE) and
// rasterising polygons into a class mask. No packaged C++ library does this
// (pycocotools' maskApi.c is Python-bound), so it is written here, compactly.
#ifndef STLAB_PLUGINS_DATASETS_COCO_MASK_H_
#define STLAB_PLUGINS_DATASETS_COCO_MASK_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "opencv2/core.hpp"

namespace stlab::datasets {

/// A binary mask in COCO's run-length encoding: runs over the pixels in
/// column-major order (down each column, then the next), alternately 0s and 1s,
/// starting with 0s (a mask whose first pixel is set starts with a 0-length run).
struct CocoRle {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint32_t> counts;
};

/// A polygon [x0, y0, x1, y1, ...] in COCO pixel coordinates: pixel (column i,
/// row j) is the square [i, i + 1) x [j, j + 1).
using CocoPolygon = std::vector<float>;

/// Decodes pycocotools' compressed "counts" string (rleToString): each count in
/// 5-bit groups, least significant first, as characters '0' + group (bit 5 = more
/// groups follow, bit 4 of the last group = negative), counts after the third
/// stored as differences to the count two before. Fails on characters outside
/// '0'..'o', a string ending inside a count, and negative or oversized counts.
absl::StatusOr<std::vector<uint32_t>> DecodeRleCounts(std::string_view text);

/// Fails unless the counts cover exactly height * width pixels.
absl::Status CheckRleSize(const CocoRle& rle);

/// Sets the pixels where `rle` is 1 to `value`. `mask` is CV_8U, rle.height x
/// rle.width, and `rle` passed CheckRleSize.
void PaintRle(const CocoRle& rle, uint8_t value, cv::Mat& mask);

/// Sets to `value` every pixel of `mask` (CV_8U) whose centre lies inside one of
/// `polygons` (even-odd rule per polygon, union over polygons); parts outside the
/// mask are cut off. Polygons of fewer than 3 points cover no pixel centre.
/// NOTE: this is centre sampling, not cv::fillPoly: fillPoly also draws every
/// outline pixel, which inflates a 4x4 square to 5x5 and thin objects far more.
/// Centre sampling reproduces COCO's `area` (pycocotools' rasteriser) to within
/// 1% for instances of more than 1000 pixels.
void PaintPolygons(std::span<const CocoPolygon> polygons, uint8_t value, cv::Mat& mask);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_COCO_MASK_H_
