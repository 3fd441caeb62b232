#include "core/engine/pseudo_label_export.h"

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

// Four 8 x 6 images with ids 100..103.
class Pool : public Dataset {
 public:
  Pool() {
    info_.class_names = {"square", "circle"};
    info_.category_ids = {1, 2};
    info_.mask_class_names = {"background", "square", "circle"};
  }
  int64_t Size() const override { return 4; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    Sample sample;
    sample.image_id = 100 + index;
    sample.source = "pool/" + std::to_string(index);
    sample.image = at::full({6, 8, 3}, 40, at::kByte);
    return sample;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

PseudoLabelSet Detections() {
  PseudoLabelSet set;
  set.indices = {1, 3};
  Sample a;
  a.boxes = at::tensor(std::vector<float>{1, 2, 3, 4, 0, 0, 8, 6}).reshape({2, 4});
  a.labels = at::tensor(std::vector<int64_t>{1, 0});
  Sample b;
  b.boxes = at::zeros({0, 4});
  b.labels = at::zeros({0}, at::kLong);
  set.labels = {a, b};
  set.scores = {at::tensor(std::vector<float>{0.75f, 0.5f}), at::zeros({0})};
  set.provenance = {{"teacher_sha256", "abc"}};
  return set;
}

TEST(PseudoLabelExportTest, CocoJsonHasXywhBoxesScoresAndCategories) {
  Pool pool;
  absl::StatusOr<std::string> json = PseudoLabelsCocoJson(Detections(), pool, pool.Info());
  ASSERT_THAT(json.status(), IsOk());
  EXPECT_THAT(*json, HasSubstr("\"info\": {\"teacher_sha256\": \"abc\"}"));
  EXPECT_THAT(*json, HasSubstr("{\"id\": 101, \"file_name\": \"pool/1\", \"width\": 8, \"height\": 6}"));
  EXPECT_THAT(*json, HasSubstr("{\"id\": 103,"));
  EXPECT_THAT(*json, HasSubstr("\"image_id\": 101, \"category_id\": 2, \"bbox\": [1, 2, 2, 2], "
                               "\"area\": 4, \"iscrowd\": 0, \"score\": 0.75}"));
  EXPECT_THAT(*json, HasSubstr("\"category_id\": 1, \"bbox\": [0, 0, 8, 6]"));
  EXPECT_THAT(*json, HasSubstr("\"categories\": [{\"id\": 1, \"name\": \"square\"}, "
                               "{\"id\": 2, \"name\": \"circle\"}]"));
}

TEST(PseudoLabelExportTest, ScoresMissingIsAnError) {
  Pool pool;
  PseudoLabelSet set = Detections();
  set.scores.clear();
  EXPECT_THAT(PseudoLabelsCocoJson(set, pool, pool.Info()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("score lists")));
}

TEST(PseudoLabelExportTest, DetectionWritesJsonAndDrawsTheFirstImages) {
  Pool pool;
  const PseudoLabelFiles files(stlab::testing::FreshTestDir());
  ASSERT_THAT(ExportPseudoLabels(Detections(), pool, pool.Info(), 1, files), IsOk());
  EXPECT_TRUE(std::filesystem::is_regular_file(files.coco_json()));
  EXPECT_FALSE(std::filesystem::exists(files.masks()));
  const cv::Mat drawn = cv::imread((files.drawn() / "000101.png").string(), cv::IMREAD_COLOR);
  EXPECT_EQ(drawn.rows, 6);
  EXPECT_EQ(drawn.cols, 8);
  EXPECT_FALSE(std::filesystem::exists(files.drawn() / "000103.png"));
}

TEST(PseudoLabelExportTest, SegmentationWritesOneLabelMapPerImage) {
  Pool pool;
  PseudoLabelSet set;
  set.indices = {0, 2};
  for (int k = 0; k < 2; ++k) {
    Sample label;
    label.mask = at::full({6, 8}, kIgnoreLabel, at::kByte);
    label.mask[2][3] = 2;
    set.labels.push_back(label);
  }
  const PseudoLabelFiles files(stlab::testing::FreshTestDir());
  ASSERT_THAT(ExportPseudoLabels(set, pool, pool.Info(), 8, files), IsOk());
  EXPECT_FALSE(std::filesystem::exists(files.coco_json()));
  for (const char* name : {"000100.png", "000102.png"}) {
    const cv::Mat mask = cv::imread((files.masks() / name).string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(mask.type(), CV_8UC1) << name;
    EXPECT_EQ(mask.at<uint8_t>(2, 3), 2);
    EXPECT_EQ(mask.at<uint8_t>(0, 0), kIgnoreLabel);
    EXPECT_TRUE(std::filesystem::is_regular_file(files.drawn() / name));
  }
}

}  // namespace
}  // namespace stlab
