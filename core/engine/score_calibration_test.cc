#include "core/engine/score_calibration.h"

#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;

// Image i holds the labels labels_[i].
class LabeledImages : public Dataset {
 public:
  explicit LabeledImages(std::vector<std::vector<int64_t>> labels) : labels_(std::move(labels)) {}
  int64_t Size() const override { return static_cast<int64_t>(labels_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    Sample sample;
    sample.image_id = index;
    sample.source = "image" + std::to_string(index) + ".png";
    const auto& labels = labels_[static_cast<size_t>(index)];
    sample.labels = at::tensor(labels, at::kLong);
    sample.boxes = at::zeros({static_cast<int64_t>(labels.size()), 4});
    return sample;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  std::vector<std::vector<int64_t>> labels_;
  DatasetInfo info_;
};

Detections Scored(std::vector<float> scores, std::vector<int64_t> labels) {
  Detections d;
  d.boxes = at::zeros({static_cast<int64_t>(scores.size()), 4});
  d.scores = at::tensor(scores, at::kFloat);
  d.labels = at::tensor(labels, at::kLong);
  return d;
}

TEST(LabelPriorTest, CountsBoxesPerImageOfEachClass) {
  const LabeledImages labeled({{0, 0, 1}, {0}, {}, {2, 0}});
  absl::StatusOr<std::vector<double>> prior = BoxesPerImageByClass(labeled, 3, 100);
  ASSERT_THAT(prior.status(), IsOk());
  EXPECT_THAT(*prior, ElementsAre(DoubleEq(1.0), DoubleEq(0.25), DoubleEq(0.25)));
}

TEST(LabelPriorTest, CountsOnEvenlySpacedImagesWhenCapped) {
  // Two of four images: indices 0 and 2.
  const LabeledImages labeled({{0}, {1, 1, 1}, {0, 0, 0}, {1}});
  absl::StatusOr<std::vector<double>> prior = BoxesPerImageByClass(labeled, 2, 2);
  ASSERT_THAT(prior.status(), IsOk());
  EXPECT_THAT(*prior, ElementsAre(DoubleEq(2.0), DoubleEq(0.0)));
}

TEST(LabelPriorTest, ALabelOutsideTheClassesNamesItsImage) {
  const LabeledImages labeled({{0}, {5}});
  EXPECT_THAT(BoxesPerImageByClass(labeled, 3, 100).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("image1.png: label 5")));
}

TEST(LabelPriorTest, EachClassIsCutAtItsOwnPriorsCount) {
  // Two pool images. Class 0 is wanted once per image (2 boxes), class 1 half an
  // image (1 box): a single threshold could not serve both, the teacher being less
  // sure of class 1.
  const std::vector<Detections> pool = {Scored({0.9f, 0.6f, 0.2f}, {0, 0, 1}),
                                        Scored({0.7f, 0.3f, 0.1f}, {0, 1, 1})};
  const LabelPriorCalibration calibration = LabelPriorCalibration::Fit({1.0, 0.5}, pool);
  EXPECT_THAT(calibration.cuts(), ElementsAre(DoubleNear(0.7, 1e-6), DoubleNear(0.3, 1e-6)));

  // At the calibrated cut 0.5 a threshold keeps exactly the wanted boxes.
  int64_t kept[2] = {0, 0};
  for (const Detections& d : pool) {
    const Detections mapped = calibration.Apply(d);
    for (int64_t i = 0; i < mapped.scores.numel(); ++i) {
      if (mapped.scores[i].item<float>() >= kCalibratedCut) {
        ++kept[mapped.labels[i].item<int64_t>()];
      }
    }
  }
  EXPECT_EQ(kept[0], 2);
  EXPECT_EQ(kept[1], 1);
}

TEST(LabelPriorTest, TheMapIsMonotoneAndKeepsZeroAndOne) {
  const LabelPriorCalibration calibration =
      LabelPriorCalibration::Fit({1.0}, {Scored({0.8f, 0.4f}, {0, 0})});  // Cut 0.8.
  const Detections mapped = calibration.Apply(Scored({0.0f, 0.4f, 0.8f, 0.9f, 1.0f}, {0, 0, 0, 0, 0}));
  EXPECT_THAT(std::vector<float>(mapped.scores.data_ptr<float>(),
                                 mapped.scores.data_ptr<float>() + 5),
              ElementsAre(FloatNear(0.0, 1e-6), FloatNear(0.25, 1e-6), FloatNear(0.5, 1e-6),
                          FloatNear(0.75, 1e-6), FloatNear(1.0, 1e-6)));
}

TEST(LabelPriorTest, AnAbsentClassKeepsNothingAndAScarceOneKeepsAll) {
  // Class 0 never labeled by hand; class 1 wanted 3 times per image, detected twice.
  const std::vector<Detections> pool = {Scored({0.95f, 0.2f, 0.1f}, {0, 1, 1})};
  const LabelPriorCalibration calibration = LabelPriorCalibration::Fit({0.0, 3.0}, pool);
  EXPECT_THAT(calibration.cuts(), ElementsAre(DoubleEq(1.0), DoubleNear(0.1, 1e-6)));
  const Detections mapped = calibration.Apply(pool[0]);
  EXPECT_LT(mapped.scores[0].item<float>(), 0.5f);
  EXPECT_GE(mapped.scores[1].item<float>(), 0.5f);
  EXPECT_GE(mapped.scores[2].item<float>(), 0.5f);
  // Boxes and classes are left as they are.
  EXPECT_TRUE(at::equal(mapped.labels, pool[0].labels));
  EXPECT_TRUE(at::equal(mapped.boxes, pool[0].boxes));
}

TEST(LabelPriorTest, EmptyDetectionsPassThrough) {
  const LabelPriorCalibration calibration = LabelPriorCalibration::Fit({1.0}, {});
  const Detections mapped = calibration.Apply(Scored({}, {}));
  EXPECT_EQ(mapped.scores.numel(), 0);
}

// CalibratedScores of one score under one cut, in double precision.
double CalibratedScore(double score, double cut) {
  return CalibratedScores(at::tensor(score, at::kDouble), at::tensor(cut, at::kDouble))
      .item<double>();
}

TEST(ScoreCalibrationTest, CalibratedScoreMovesTheCutToTheMiddle) {
  EXPECT_DOUBLE_EQ(CalibratedScore(0.2, 0.2), kCalibratedCut);
  EXPECT_DOUBLE_EQ(CalibratedScore(0.1, 0.2), 0.25);
  EXPECT_DOUBLE_EQ(CalibratedScore(0.6, 0.2), 0.75);
  EXPECT_DOUBLE_EQ(CalibratedScore(0.0, 0.0), kCalibratedCut);
  EXPECT_DOUBLE_EQ(CalibratedScore(1.0, 1.0), kCalibratedCut);
  EXPECT_DOUBLE_EQ(CalibratedScore(1.5, 0.2), 1.0);
}

// Two classes, 1 x 4 pixels: class 0 wins two pixels at 0.9 and 0.7, class 1 two
// at 0.6 and 0.55 (the teacher is less sure of it).
at::Tensor TwoClassProbs() {
  const at::Tensor class0 = at::tensor(std::vector<float>{0.9f, 0.7f, 0.4f, 0.45f});
  return at::stack({class0, 1.0 - class0}).reshape({2, 1, 4});
}

TEST(ClassPortionTest, EachClassKeepsItsMostConfidentPortion) {
  ClassPortionCalibration calibration(2, 0.5);
  calibration.Add(TwoClassProbs());
  calibration.Finish();
  // Half of each class's pixels: class 0 from 0.9, class 1 from 0.6 (bin edges).
  EXPECT_THAT(calibration.cuts(), ElementsAre(DoubleNear(0.9, 1e-9), DoubleNear(0.6, 1e-9)));
  const at::Tensor mapped = calibration.Apply(TwoClassProbs());
  ASSERT_EQ(mapped.sizes().vec(), (std::vector<int64_t>{2, 1, 4}));
  // Every pixel keeps its most probable class; one above its cut still sums to 1.
  EXPECT_TRUE(at::equal(mapped.argmax(0), TwoClassProbs().argmax(0)));
  const at::Tensor above = calibration.Apply(
      at::tensor(std::vector<float>{0.95f, 0.05f}).reshape({2, 1, 1}));
  EXPECT_NEAR(above.sum().item<float>(), 1.0, 1e-6);
  EXPECT_GT(above[0][0][0].item<float>(), kCalibratedCut);
  EXPECT_LT(mapped.sum(0).flatten()[1].item<float>(), 1.0);
  const at::Tensor top = std::get<0>(mapped.max(0)).flatten();
  // A threshold at the calibrated cut keeps one pixel of each class: 0.9 and 0.6.
  EXPECT_GE(top[0].item<float>(), kCalibratedCut);
  EXPECT_LT(top[1].item<float>(), kCalibratedCut);
  EXPECT_GE(top[2].item<float>(), kCalibratedCut);
  EXPECT_LT(top[3].item<float>(), kCalibratedCut);
}

TEST(ClassPortionTest, AClassWithoutPixelsIsCutAtOne) {
  ClassPortionCalibration calibration(3, 1.0);
  calibration.Add(TwoClassProbs());
  calibration.Finish();
  EXPECT_DOUBLE_EQ(calibration.cuts()[2], 1.0);
  // portion 1 keeps every pixel of the classes that have some.
  const at::Tensor top = std::get<0>(calibration.Apply(at::cat(
      {TwoClassProbs(), at::zeros({1, 1, 4})})).max(0));
  EXPECT_TRUE(top.ge(kCalibratedCut).all().item<bool>());
}

}  // namespace
}  // namespace stlab
