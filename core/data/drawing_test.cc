#include "core/data/drawing.h"

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

cv::Mat Decode(const std::string& png) {
  return cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_UNCHANGED);
}

TEST(DrawingTest, LabelMapPngKeepsValues) {
  at::Tensor mask = at::zeros({4, 5}, at::kByte);
  mask[1][2] = 3;
  mask[3][4] = kIgnoreLabel;
  absl::StatusOr<std::string> png = EncodePng(mask);
  ASSERT_TRUE(png.ok()) << png.status();
  const cv::Mat decoded = Decode(*png);
  ASSERT_EQ(decoded.type(), CV_8UC1);
  ASSERT_EQ(decoded.rows, 4);
  ASSERT_EQ(decoded.cols, 5);
  EXPECT_EQ(decoded.at<uint8_t>(1, 2), 3);
  EXPECT_EQ(decoded.at<uint8_t>(3, 4), kIgnoreLabel);
  EXPECT_EQ(decoded.at<uint8_t>(0, 0), 0);
}

TEST(DrawingTest, RgbPngDecodesToTheSamePixels) {
  at::Tensor image = at::zeros({2, 3, 3}, at::kByte);
  image[0][1][0] = 200;  // Red.
  absl::StatusOr<std::string> png = EncodePng(image);
  ASSERT_TRUE(png.ok()) << png.status();
  const cv::Mat decoded = Decode(*png);  // BGR.
  ASSERT_EQ(decoded.type(), CV_8UC3);
  EXPECT_EQ(decoded.at<cv::Vec3b>(0, 1)[2], 200);
  EXPECT_EQ(decoded.at<cv::Vec3b>(0, 1)[0], 0);
}

TEST(DrawingTest, BoxOutlineAndMaskAreDrawnBackgroundIsNot) {
  Sample sample;
  sample.image = at::zeros({32, 32, 3}, at::kByte);
  sample.boxes = at::tensor(std::vector<float>{4, 10, 20, 28}).reshape({1, 4});
  sample.labels = at::tensor(std::vector<int64_t>{0});
  sample.mask = at::zeros({32, 32}, at::kByte);
  sample.mask.narrow(0, 12, 4).narrow(1, 8, 4).fill_(1);
  absl::StatusOr<at::Tensor> drawn = DrawSample(sample, {{"square"}, {"background", "square"}});
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  EXPECT_GT((*drawn)[20][4].sum().item<int64_t>(), 0);   // Left edge of the box.
  EXPECT_GT((*drawn)[13][9].sum().item<int64_t>(), 0);   // Inside the mask.
  EXPECT_EQ((*drawn)[30][30].sum().item<int64_t>(), 0);  // Background stays.
  EXPECT_EQ(sample.image.sum().item<int64_t>(), 0);      // The input is not changed.
}

TEST(DrawingTest, SideBySidePadsTheShorterImage) {
  absl::StatusOr<at::Tensor> both =
      SideBySide(at::full({4, 5, 3}, 10, at::kByte), at::full({6, 2, 3}, 20, at::kByte));
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->sizes().vec(), (std::vector<int64_t>{6, 11, 3}));
  EXPECT_EQ((*both)[5][0][0].item<int>(), 0);
  EXPECT_EQ((*both)[5][10][0].item<int>(), 20);
}

TEST(DrawingTest, NotAnRgbImageIsAnError) {
  Sample sample;
  sample.image = at::zeros({4, 4}, at::kByte);
  EXPECT_THAT(DrawSample(sample, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[H, W, 3] uint8")));
  EXPECT_THAT(EncodePng(at::zeros({4, 4}, at::kFloat)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("uint8")));
}

}  // namespace
}  // namespace stlab
