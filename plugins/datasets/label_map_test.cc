// Tests for label maps: stored values -> mask values, and reading 8-bit grey PNGs.
#include "plugins/datasets/label_map.h"

#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "core/status.h"
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

LabelValues MustCreate(int64_t num_classes, int64_t ignore_index) {
  absl::StatusOr<LabelValues> values = LabelValues::Create(num_classes, ignore_index);
  EXPECT_THAT(values, IsOk());
  return *std::move(values);
}

// `stored` mapped through `values` as a 1 x N mask.
absl::StatusOr<std::vector<int>> Map(const LabelValues& values, std::vector<uint8_t> stored) {
  at::Tensor mask =
      at::from_blob(stored.data(), {1, static_cast<int64_t>(stored.size())}, at::kByte).clone();
  STLAB_RETURN_IF_ERROR(values.Apply("m.png", mask));
  return std::vector<int>(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + mask.numel());
}

std::vector<int> MustMap(const LabelValues& values, std::vector<uint8_t> stored) {
  absl::StatusOr<std::vector<int>> mapped = Map(values, std::move(stored));
  EXPECT_THAT(mapped, IsOk());
  return mapped.ok() ? *std::move(mapped) : std::vector<int>();
}

TEST(LabelValuesTest, IgnoreAfterTheClassesKeepsTheValues) {  // CamVid: 11 classes, void 11.
  const LabelValues values = MustCreate(11, 11);
  EXPECT_EQ(MustMap(values, {0, 10, 11, 3}), (std::vector<int>{0, 10, 255, 3}));
  EXPECT_EQ(values.Describe(), "class values 0..10 or ignore_index 11");
  EXPECT_EQ(values.StoredValue(10), 10);
}

TEST(LabelValuesTest, IgnoreZeroShiftsTheClassesDown) {  // ADE20K: 0 = "other".
  const LabelValues values = MustCreate(3, 0);
  EXPECT_EQ(MustMap(values, {0, 1, 3}), (std::vector<int>{255, 0, 2}));
  EXPECT_EQ(values.Describe(), "class values 1..3 or ignore_index 0");
  EXPECT_EQ(values.StoredValue(0), 1);
}

TEST(LabelValuesTest, IgnoreAmongTheClassesIsSkipped) {
  const LabelValues values = MustCreate(4, 2);
  EXPECT_EQ(MustMap(values, {0, 1, 2, 3, 4}), (std::vector<int>{0, 1, 255, 2, 3}));
  EXPECT_EQ(values.Describe(), "class values 0..1, 3..4 or ignore_index 2");
}

TEST(LabelValuesTest, OtherValuesAreErrorsNamingFilePixelAndValue) {
  EXPECT_THAT(Map(MustCreate(11, 11), {0, 1, 12}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("m.png: pixel (2, 0) has value 12"),
                             HasSubstr("expected class values 0..10 or ignore_index 11"))));
  EXPECT_THAT(Map(MustCreate(21, 255), {21}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has value 21")));
}

TEST(LabelValuesTest, ClassCountMustFitAnEightBitMask) {
  EXPECT_THAT(LabelValues::Create(0, 255), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    HasSubstr("0 classes")));
  EXPECT_THAT(LabelValues::Create(256, 255), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("256 classes")));
  EXPECT_THAT(LabelValues::Create(255, 0), IsOk());
  EXPECT_THAT(LabelValues::Create(3, 256), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    HasSubstr("ignore_index 256")));
}

TEST(ReadLabelMapTest, ReadsGreyPngsThroughTheValues) {
  const fs::path dir = FreshTestDir();
  cv::Mat grey(2, 3, CV_8U, cv::Scalar(1));
  grey.at<uint8_t>(1, 2) = 11;
  ASSERT_TRUE(cv::imwrite((dir / "grey.png").string(), grey));
  absl::StatusOr<at::Tensor> mask = ReadLabelMap(dir / "grey.png", MustCreate(11, 11));
  ASSERT_THAT(mask, IsOk());
  EXPECT_EQ(mask->sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*mask)[1][2].item<uint8_t>(), 255);
  EXPECT_EQ((*mask)[0][0].item<uint8_t>(), 1);
  EXPECT_THAT(ReadLabelMap(dir / "grey.png", MustCreate(5, 255)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("grey.png: pixel (2, 1) has value 11")));
}

TEST(ReadLabelMapTest, ColourDeepOrMissingFilesAreErrorsNamingThem) {
  const fs::path dir = FreshTestDir();
  const LabelValues values = MustCreate(11, 11);
  ASSERT_TRUE(cv::imwrite((dir / "colour.png").string(), cv::Mat(2, 3, CV_8UC3, cv::Scalar(1))));
  EXPECT_THAT(ReadLabelMap(dir / "colour.png", values),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("colour.png: expected an 8-bit 1-channel label map"),
                             HasSubstr("got 3 channel(s) of 8 bits"))));
  ASSERT_TRUE(cv::imwrite((dir / "deep.png").string(), cv::Mat(2, 3, CV_16U, cv::Scalar(1))));
  EXPECT_THAT(ReadLabelMap(dir / "deep.png", values),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("deep.png: expected an 8-bit 1-channel label map"),
                             HasSubstr("got 1 channel(s) of 16 bits"))));
  EXPECT_THAT(ReadLabelMap(dir / "none.png", values),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("none.png")));
}

}  // namespace
}  // namespace stlab::datasets
