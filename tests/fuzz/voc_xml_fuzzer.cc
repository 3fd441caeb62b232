// Fuzzes the PASCAL VOC annotation reader: VocDetectionDataset::Create on a split
// of one image whose Annotations/<id>.xml is the input, then Get() of that image
// (a real 8x6 JPEG), which turns the boxes read into tensors.
//
// Input: one VOC annotation XML file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"
#include "plugins/datasets/voc.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr int kImageWidth = 8;
constexpr int kImageHeight = 6;

std::filesystem::path VocRoot() {
  static const std::filesystem::path root = [] {
    const std::filesystem::path dir = stlab::fuzz::ScratchDir() / "VOC2012";
    stlab::fuzz::WriteBytes(dir / "ImageSets" / "Main" / "train.txt", "a\n");
    std::filesystem::create_directories(dir / "JPEGImages");
    const cv::Mat image(kImageHeight, kImageWidth, CV_8UC3, cv::Scalar(10, 20, 30));
    if (!cv::imwrite((dir / "JPEGImages" / "a.jpg").string(), image)) std::abort();
    return dir;
  }();
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  VocRoot();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path root = VocRoot();
  stlab::fuzz::WriteBytes(root / "Annotations" / "a.xml",
                          std::string_view(reinterpret_cast<const char*>(data), size));
  for (const bool keep_difficult : {false, true}) {
    stlab::datasets::VocOptions options;
    options.root = root;
    options.keep_difficult = keep_difficult;
    auto dataset = stlab::datasets::VocDetectionDataset::Create(options);
    if (!dataset.ok()) return 0;
    (*dataset)->Get(0).IgnoreError();
  }
  return 0;
}
