#include "core/engine/pseudo_labels.h"

#include <fstream>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

// Images that carry ground truth of their own, as the synthetic unlabeled pool does.
class PoolWithGroundTruth : public Dataset {
 public:
  int64_t Size() const override { return 4; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    Sample sample;
    sample.image_id = index;
    sample.image = at::full({8, 8, 3}, index, at::kByte);
    sample.boxes = at::tensor(std::vector<float>{0, 0, 8, 8}).reshape({1, 4});
    sample.labels = at::tensor(std::vector<int64_t>{1});
    sample.mask = at::ones({8, 8}, at::kByte);
    return sample;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

PseudoLabelSet TwoDetections() {
  PseudoLabelSet set;
  set.indices = {1, 3};
  Sample a;
  a.boxes = at::tensor(std::vector<float>{1, 2, 3, 4}).reshape({1, 4});
  a.labels = at::tensor(std::vector<int64_t>{2});
  Sample b;
  b.boxes = at::zeros({0, 4});
  b.labels = at::zeros({0}, at::kLong);
  set.labels = {a, b};
  set.scores = {at::tensor(std::vector<float>{0.5f}), at::zeros({0})};
  set.provenance = {{"teacher", "/runs/t/model_final.pt"}};
  return set;
}

TEST(PseudoLabelsTest, WriteReadRoundTrip) {
  const auto path = stlab::testing::FreshTestDir() / "pseudo_labels.pt";
  ASSERT_THAT(WritePseudoLabels(path, TwoDetections()), IsOk());
  absl::StatusOr<PseudoLabelSet> read = ReadPseudoLabels(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->indices, (std::vector<int64_t>{1, 3}));
  ASSERT_EQ(read->labels.size(), 2u);
  EXPECT_TRUE(at::equal(read->labels[0].boxes, TwoDetections().labels[0].boxes));
  EXPECT_EQ(read->labels[1].boxes.sizes().vec(), (std::vector<int64_t>{0, 4}));
  ASSERT_EQ(read->scores.size(), 2u);
  EXPECT_TRUE(at::equal(read->scores[0], TwoDetections().scores[0]));
  EXPECT_EQ(read->provenance.at("teacher"), "/runs/t/model_final.pt");
}

TEST(PseudoLabelsTest, SoftLabelsRoundTripAndReachTheDataset) {
  PseudoLabelSet detections = TwoDetections();
  detections.labels[0].label_scores = at::tensor(std::vector<float>{0.75f});
  PseudoLabelSet masks;
  masks.indices = {2};
  Sample m;
  m.mask = at::full({8, 8}, 1, at::kByte);
  m.soft_mask = at::stack({at::full({8, 8}, 55, at::kByte), at::full({8, 8}, 200, at::kByte)});
  masks.labels = {m};
  const auto dir = stlab::testing::FreshTestDir();
  ASSERT_THAT(WritePseudoLabels(dir / "boxes.pt", detections), IsOk());
  ASSERT_THAT(WritePseudoLabels(dir / "masks.pt", masks), IsOk());
  absl::StatusOr<PseudoLabelSet> boxes = ReadPseudoLabels(dir / "boxes.pt");
  absl::StatusOr<PseudoLabelSet> pixels = ReadPseudoLabels(dir / "masks.pt");
  ASSERT_THAT(boxes.status(), IsOk());
  ASSERT_THAT(pixels.status(), IsOk());
  EXPECT_TRUE(at::equal(boxes->labels[0].label_scores, detections.labels[0].label_scores));
  EXPECT_FALSE(boxes->labels[1].label_scores.defined());
  EXPECT_TRUE(at::equal(pixels->labels[0].soft_mask, m.soft_mask));

  PseudoLabeledDataset box_data(std::make_shared<PoolWithGroundTruth>(), *boxes, {});
  EXPECT_TRUE(at::equal(box_data.Get(0)->label_scores, detections.labels[0].label_scores));
  PseudoLabeledDataset mask_data(std::make_shared<PoolWithGroundTruth>(), *pixels, {});
  EXPECT_TRUE(at::equal(mask_data.Get(0)->soft_mask, m.soft_mask));
}

TEST(PseudoLabelsTest, IgnoreRegionsRoundTripAndReachTheDataset) {
  PseudoLabelSet set = TwoDetections();
  set.labels[0].ignore_boxes = at::tensor(std::vector<float>{4, 4, 6, 6}).reshape({1, 4});
  const auto path = stlab::testing::FreshTestDir() / "pseudo_labels.pt";
  ASSERT_THAT(WritePseudoLabels(path, set), IsOk());
  absl::StatusOr<PseudoLabelSet> read = ReadPseudoLabels(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_TRUE(at::equal(read->labels[0].ignore_boxes, set.labels[0].ignore_boxes));
  EXPECT_FALSE(read->labels[1].ignore_boxes.defined());
  PseudoLabeledDataset dataset(std::make_shared<PoolWithGroundTruth>(), *read, {});
  EXPECT_TRUE(at::equal(dataset.Get(0)->ignore_boxes, set.labels[0].ignore_boxes));
  EXPECT_FALSE(dataset.Get(1)->ignore_boxes.defined());
  EXPECT_THAT(PseudoLabelSummaryJson(set, 4, DatasetInfo{{"a", "b", "c"}}),
              HasSubstr("\"boxes_per_image\": 0.5, \"ignore_regions\": 1,"));
}

TEST(PseudoLabelsTest, NotAPseudoLabelFileIsAnError) {
  EXPECT_THAT(ReadPseudoLabels("/nonexistent/pseudo.pt").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("do not exist")));
}

TEST(PseudoLabelsTest, DatasetServesPseudoLabelsAndNeverTheSourceGroundTruth) {
  PseudoLabeledDataset dataset(std::make_shared<PoolWithGroundTruth>(), TwoDetections(), {});
  ASSERT_EQ(dataset.Size(), 2);
  absl::StatusOr<Sample> first = dataset.Get(0);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->image_id, 1);
  EXPECT_TRUE(first->pseudo_labeled);
  EXPECT_EQ(first->labels[0].item<int64_t>(), 2);
  EXPECT_FALSE(first->mask.defined());
  absl::StatusOr<Sample> second = dataset.Get(1);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(second->boxes.size(0), 0);
  EXPECT_THAT(dataset.Get(2).status(), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("not in [0, 2)")));
}

TEST(PseudoLabelsTest, SummaryCountsImagesBoxesAndClasses) {
  DatasetInfo info;
  info.class_names = {"a", "b", "c"};
  const std::string summary = PseudoLabelSummaryJson(TwoDetections(), 4, info);
  EXPECT_THAT(summary, HasSubstr("\"images\": 4, \"kept\": 2, \"boxes\": 1"));
  EXPECT_THAT(summary, HasSubstr("\"boxes_per_class\": {\"a\": 0, \"b\": 0, \"c\": 1}"));
  EXPECT_THAT(summary, HasSubstr("\"score_histogram\": [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]"));
  EXPECT_THAT(summary, HasSubstr("\"soft_labels\": false"));
}

TEST(PseudoLabelsTest, SummaryCarriesTheQualityAndTheStageFiguresReadBack) {
  DatasetInfo info;
  info.class_names = {"a", "b", "c"};
  const PseudoLabelSet set = TwoDetections();
  PseudoLabelQuality quality(Task::kDetection, 3);
  // The kept box of image 1 hits its hidden object; image 3 keeps nothing and misses one.
  Sample truth = set.labels[0];
  Prediction teacher;
  teacher.detections = {set.labels[0].boxes, set.scores[0], set.labels[0].labels};
  quality.Add(truth, teacher, &set.labels[0]);
  quality.Add(truth, Prediction{}, &set.labels[1]);
  const auto dir = stlab::testing::FreshTestDir();
  const std::filesystem::path path = dir / "pseudo_labels_summary.json";
  {
    std::ofstream out(path);
    out << PseudoLabelSummaryJson(set, 4, info, &quality);
  }
  absl::StatusOr<Metrics> metrics = PseudoLabelSummaryMetrics(path);
  ASSERT_THAT(metrics.status(), IsOk());
  EXPECT_EQ(*metrics, (Metrics{{"pseudo/kept_images", 2.0},
                               {"pseudo/boxes_per_image", 0.5},
                               {"pseudo/precision", 1.0},
                               {"pseudo/recall", 0.5}}));
  // Without a quality measurement there is no "quality" and no figure of it.
  {
    std::ofstream out(path);
    out << PseudoLabelSummaryJson(set, 4, info);
  }
  EXPECT_EQ(PseudoLabelSummaryMetrics(path)->count("pseudo/precision"), 0u);
  {
    std::ofstream out(path);
    out << "{\"images\": 4";
  }
  EXPECT_THAT(PseudoLabelSummaryMetrics(path).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("pseudo_labels_summary.json")));
}

}  // namespace
}  // namespace stlab
