// Fuzzes the COCO JSON readers: the evaluator's (LoadGroundTruth, LoadDetections,
// then the evaluation itself) and the `coco` dataset's (ReadCocoInstances with
// segmentations, whose polygons and RLEs are then painted), plain and gzip.
//
// Input: an instances file, optionally followed by a line "#%%" and a results file.
// Either may be gzip (recognised by its magic bytes, as the readers do).
//
// Checked beyond "no crash": an instances file given plain and gzip-compressed
// reads the same (same success, same counts).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "opencv2/core.hpp"
#include "plugins/datasets/coco_instances.h"
#include "plugins/datasets/coco_mask.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Masks are painted only up to this many pixels: an RLE may declare any size.
constexpr int64_t kMaxMaskPixels = int64_t{1} << 20;
constexpr int kPolygonMaskSize = 64;

std::string Gzip(std::string_view bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

bool IsGzip(std::string_view bytes) { return bytes.substr(0, 2) == "\x1f\x8b"; }

void PaintSegmentations(const stlab::datasets::CocoInstances& instances) {
  using stlab::datasets::CocoPolygon;
  using stlab::datasets::CocoRle;
  for (const stlab::datasets::CocoAnnotationEntry& annotation : instances.annotations) {
    if (const auto* polygons = std::get_if<std::vector<CocoPolygon>>(&annotation.segmentation)) {
      cv::Mat mask(kPolygonMaskSize, kPolygonMaskSize, CV_8U, cv::Scalar(0));
      stlab::datasets::PaintPolygons(*polygons, 1, mask);
    } else if (const auto* rle = std::get_if<CocoRle>(&annotation.segmentation)) {
      if (!stlab::datasets::CheckRleSize(*rle).ok()) continue;
      if (rle->height * rle->width > kMaxMaskPixels) continue;
      cv::Mat mask(static_cast<int>(rle->height), static_cast<int>(rle->width), CV_8U,
                   cv::Scalar(0));
      stlab::datasets::PaintRle(*rle, 1, mask);
    }
  }
}

// What the two readers make of `gt_file`: success and counts, for comparing plain
// against gzip.
struct Outcome {
  bool evaluator_ok = false;
  size_t evaluator_counts[3] = {};
  bool dataset_ok = false;
  size_t dataset_counts[3] = {};

  bool operator==(const Outcome&) const = default;
};

Outcome ReadBoth(const std::filesystem::path& gt_file,
                 absl::StatusOr<stlab::coco::GroundTruth>* ground_truth) {
  Outcome outcome;
  *ground_truth = stlab::coco::LoadGroundTruth(gt_file);
  if (ground_truth->ok()) {
    outcome.evaluator_ok = true;
    outcome.evaluator_counts[0] = (*ground_truth)->images.size();
    outcome.evaluator_counts[1] = (*ground_truth)->categories.size();
    outcome.evaluator_counts[2] = (*ground_truth)->annotations.size();
  }
  absl::StatusOr<stlab::datasets::CocoInstances> instances =
      stlab::datasets::ReadCocoInstances(gt_file, /*read_segmentations=*/true);
  if (instances.ok()) {
    outcome.dataset_ok = true;
    outcome.dataset_counts[0] = instances->images.size();
    outcome.dataset_counts[1] = instances->categories.size();
    outcome.dataset_counts[2] = instances->annotations.size();
    PaintSegmentations(*instances);
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> parts = stlab::fuzz::Split(input, "\n#%%\n");
  if (parts.size() > 2) return -1;  // Not added to the corpus.
  const std::filesystem::path gt_file = stlab::fuzz::ScratchDir() / "gt.json";

  absl::StatusOr<stlab::coco::GroundTruth> ground_truth;
  if (!IsGzip(parts[0])) {
    stlab::fuzz::WriteBytes(gt_file, Gzip(parts[0]));
    const Outcome gzipped = ReadBoth(gt_file, &ground_truth);
    stlab::fuzz::WriteBytes(gt_file, parts[0]);
    if (ReadBoth(gt_file, &ground_truth) != gzipped) {
      std::fprintf(stderr, "coco_json_fuzzer: the gzip-compressed file reads differently\n");
      std::abort();
    }
  } else {
    stlab::fuzz::WriteBytes(gt_file, parts[0]);
    ReadBoth(gt_file, &ground_truth);
  }
  if (!ground_truth.ok() || parts.size() < 2) return 0;

  const std::filesystem::path dets_file = stlab::fuzz::ScratchDir() / "dets.json";
  stlab::fuzz::WriteBytes(dets_file, parts[1]);
  absl::StatusOr<std::vector<stlab::coco::Detection>> detections =
      stlab::coco::LoadDetections(dets_file, *ground_truth);
  if (!detections.ok()) return 0;
  absl::StatusOr<stlab::coco::CocoEvaluator> evaluator =
      stlab::coco::CocoEvaluator::Create(*ground_truth);
  if (evaluator.ok()) evaluator->Evaluate(*detections).IgnoreError();
  return 0;
}
