// Tests that broken image files are errors naming the file, never crashes.
#include "plugins/datasets/image_io.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A 48x32 image with a different colour in each quadrant and some texture, so
// that JPEG compression produces real entropy-coded data.
cv::Mat TestImage() {
  cv::Mat image(32, 48, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b((x * 5) % 256, (y * 7) % 256, ((x ^ y) * 3) % 256);
    }
  }
  return image;
}

std::vector<uchar> Encode(const std::string& extension, const cv::Mat& image) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes));
  return bytes;
}

fs::path WriteBytes(const fs::path& path, const std::vector<uchar>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(ReadRgbImageTest, PngIsReadAsRgbHwcUint8) {
  const fs::path dir = FreshTestDir();
  const cv::Mat bgr = TestImage();
  const fs::path path = WriteBytes(dir / "a.png", Encode(".png", bgr));
  absl::StatusOr<at::Tensor> image = ReadRgbImage(path);
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->sizes(), (std::vector<int64_t>{32, 48, 3}));
  EXPECT_EQ(image->scalar_type(), at::kByte);
  EXPECT_TRUE(image->is_contiguous());
  const cv::Vec3b pixel = bgr.at<cv::Vec3b>(7, 11);
  EXPECT_TRUE(at::equal((*image)[7][11], at::tensor({pixel[2], pixel[1], pixel[0]}, at::kByte)));
}

TEST(ReadRgbImageTest, GreyPngBecomesThreeEqualChannels) {
  const fs::path dir = FreshTestDir();
  cv::Mat grey(5, 6, CV_8U, cv::Scalar(77));
  const fs::path path = WriteBytes(dir / "grey.png", Encode(".png", grey));
  absl::StatusOr<at::Tensor> image = ReadRgbImage(path);
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->sizes(), (std::vector<int64_t>{5, 6, 3}));
  EXPECT_TRUE(at::all(*image == 77).item<bool>());
}

TEST(ReadRgbImageTest, MissingAndEmptyFilesAreErrorsNamingThem) {
  const fs::path dir = FreshTestDir();
  EXPECT_THAT(ReadRgbImage(dir / "nope.jpg"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope.jpg: image file not found")));
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "empty.png", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty.png: empty file")));
}

TEST(ReadRgbImageTest, GarbageBytesAreAnError) {
  const fs::path dir = FreshTestDir();
  const std::vector<uchar> garbage(500, 0x42);
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "garbage.jpg", garbage)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("garbage.jpg: cannot decode the image")));
  // A JPEG's signature followed by nonsense: libjpeg fails, OpenCV returns nothing.
  std::vector<uchar> fake = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x13, 0x37, 0xFF, 0xD9};
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "fake.jpg", fake)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fake.jpg: cannot decode")));
}

TEST(ReadRgbImageTest, TruncatedJpegIsAnErrorThoughLibjpegOnlyWarns) {
  const fs::path dir = FreshTestDir();
  const std::vector<uchar> jpeg = Encode(".jpg", TestImage());
  const std::vector<uchar> head(jpeg.begin(),
                                jpeg.begin() + static_cast<long>(jpeg.size() * 2 / 3));
  // Guards the reason for the end-marker check: OpenCV alone decodes this.
  EXPECT_FALSE(cv::imdecode(head, cv::IMREAD_COLOR).empty());
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "cut.jpg", head)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cut.jpg: truncated JPEG (no end-of-image marker)")));
  const std::vector<uchar> header_only(jpeg.begin(), jpeg.begin() + 60);
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "header.jpg", header_only)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("header.jpg")));
}

TEST(ReadRgbImageTest, CorruptJpegDataOnlyWarnsAndDecodes) {
  const fs::path dir = FreshTestDir();
  std::vector<uchar> jpeg = Encode(".jpg", TestImage());
  // Overwrite part of the entropy-coded data (the end marker stays): libjpeg prints
  // "Corrupt JPEG data" and recovers; the process must go on.
  for (size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 40; ++i) jpeg[i] = 0x55;
  absl::StatusOr<at::Tensor> image = ReadRgbImage(WriteBytes(dir / "corrupt.jpg", jpeg));
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->sizes(), (std::vector<int64_t>{32, 48, 3}));
}

TEST(ReadRgbImageTest, TruncatedPngIsAnError) {
  const fs::path dir = FreshTestDir();
  const std::vector<uchar> png = Encode(".png", TestImage());
  const std::vector<uchar> head(png.begin(), png.begin() + static_cast<long>(png.size() / 2));
  EXPECT_THAT(ReadRgbImage(WriteBytes(dir / "cut.png", head)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("cut.png"), HasSubstr("cannot decode"))));
}

}  // namespace
}  // namespace stlab::datasets
