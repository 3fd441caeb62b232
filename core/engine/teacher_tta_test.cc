#include "core/engine/teacher_tta.h"

#include "ATen/ATen.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/config/validated_config.h"
#include "core/data/batch.h"
#include "core/engine/pseudo_labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// The normalized image itself, one level at stride 1.
class IdentityBackbone : public Backbone {
 public:
  Features Forward(const at::Tensor& images) override { return {{"c0", images}}; }
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

 private:
  FeatureSpecs specs_ = {{"c0", 3, 1}};
};

// Three classes from the three channels plus a left-to-right ramp, so that a
// mirrored image gives different probabilities (a 1x1 map alone would not).
class RampSegHead : public SegmentationHead {
 public:
  at::Tensor Forward(const Features& features, const std::vector<int64_t>& size) override {
    const at::Tensor x = features.at("c0");
    const at::Tensor ramp = at::linspace(-2, 2, size[1]).view({1, 1, size[1]});
    return at::stack({x.select(1, 0) + ramp, x.select(1, 1) - ramp, x.select(1, 2)}, 1);
  }
  LossTerms Loss(const at::Tensor&, const at::Tensor&, const at::Tensor&) override { return {}; }
};

// One box per image, at a fixed place of the padded input.
class FixedBoxHead : public DetectionHead {
 public:
  LossTerms Loss(const Features&, const std::vector<Sample>&, const std::vector<int64_t>&) override {
    return {};
  }
  std::vector<Detections> Predict(const Features& features,
                                  const std::vector<int64_t>&) override {
    std::vector<Detections> out;
    for (int64_t i = 0; i < features.at("c0").size(0); ++i) {
      out.push_back({at::tensor(std::vector<float>{1, 2, 5, 6}).view({1, 4}),
                     at::tensor(std::vector<float>{0.9f}), at::tensor(std::vector<int64_t>{1})});
    }
    return out;
  }
};

TaskModel SegModel() {
  return TaskModel(std::make_shared<IdentityBackbone>(), nullptr, nullptr,
                   std::make_shared<RampSegHead>());
}

TaskModel DetModel() {
  return TaskModel(std::make_shared<IdentityBackbone>(), nullptr, std::make_shared<FixedBoxHead>(),
                   nullptr);
}

std::vector<Sample> Images() {
  at::manual_seed(3);
  std::vector<Sample> images(2);
  images[0].image = at::randint(0, 256, {6, 10, 3}, at::kByte);
  images[1].image = at::randint(0, 256, {8, 7, 3}, at::kByte);
  return images;
}

std::vector<Prediction> PlainPredict(TaskModel& model, std::vector<Sample> images) {
  absl::StatusOr<Batch> batch = Collate(std::move(images), model.size_divisor());
  EXPECT_THAT(batch.status(), IsOk());
  return model.Predict(*batch);
}

Detections Boxes(std::vector<float> boxes, std::vector<float> scores, std::vector<int64_t> labels) {
  const int64_t n = static_cast<int64_t>(scores.size());
  return {at::tensor(boxes).view({n, 4}), at::tensor(scores), at::tensor(labels)};
}

TEST(TeacherTtaTest, DefaultOptionsAreNoTta) {
  const TeacherTtaOptions options;
  EXPECT_FALSE(options.Enabled());
  EXPECT_EQ(options.Describe(), "none");
  TeacherTtaOptions tta;
  tta.flip = true;
  tta.scales = {0.5, 1.0, 1.5};
  EXPECT_TRUE(tta.Enabled());
  EXPECT_EQ(tta.Describe(), "flip, scales 0.5,1,1.5, nms_iou 0.5, max_detections 0");
}

TEST(TeacherTtaTest, NoTtaEqualsPlainPredictExactly) {
  TaskModel seg = SegModel();
  absl::StatusOr<std::vector<Prediction>> tta = PredictWithTta(seg, Images(), {});
  ASSERT_THAT(tta.status(), IsOk());
  const std::vector<Prediction> plain = PlainPredict(seg, Images());
  ASSERT_EQ(tta->size(), 2u);
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_TRUE(at::equal((*tta)[i].class_probs, plain[i].class_probs)) << i;
  }
  TaskModel det = DetModel();
  absl::StatusOr<std::vector<Prediction>> boxes = PredictWithTta(det, Images(), {});
  ASSERT_THAT(boxes.status(), IsOk());
  const std::vector<Prediction> plain_boxes = PlainPredict(det, Images());
  for (size_t i = 0; i < plain_boxes.size(); ++i) {
    EXPECT_TRUE(at::equal((*boxes)[i].detections.boxes, plain_boxes[i].detections.boxes)) << i;
    EXPECT_TRUE(at::equal((*boxes)[i].detections.scores, plain_boxes[i].detections.scores)) << i;
  }
}

TEST(TeacherTtaTest, FlipForSegmentationIsTheMeanOfBothViewsUnflipped) {
  TaskModel seg = SegModel();
  TeacherTtaOptions options;
  options.flip = true;
  absl::StatusOr<std::vector<Prediction>> tta = PredictWithTta(seg, Images(), options);
  ASSERT_THAT(tta.status(), IsOk());

  const std::vector<Prediction> plain = PlainPredict(seg, Images());
  std::vector<Sample> mirrored = Images();
  for (Sample& s : mirrored) s.image = s.image.flip({1}).contiguous();
  const std::vector<Prediction> flipped = PlainPredict(seg, mirrored);
  for (size_t i = 0; i < plain.size(); ++i) {
    const at::Tensor expected = (plain[i].class_probs + flipped[i].class_probs.flip({2})) / 2;
    EXPECT_TRUE(at::allclose((*tta)[i].class_probs, expected, 1e-6, 1e-7)) << i;
    // The ramp makes the mirrored view disagree, so the mean is not the plain view.
    EXPECT_FALSE(at::allclose((*tta)[i].class_probs, plain[i].class_probs)) << i;
  }
}

TEST(TeacherTtaTest, ScaledViewsAreMappedBackToTheOriginalSize) {
  TaskModel seg = SegModel();
  TeacherTtaOptions options;
  options.scales = {0.5, 1.0, 2.0};
  options.flip = true;
  absl::StatusOr<std::vector<Prediction>> tta = PredictWithTta(seg, Images(), options);
  ASSERT_THAT(tta.status(), IsOk());
  EXPECT_EQ((*tta)[0].class_probs.sizes(), (at::IntArrayRef{3, 6, 10}));
  EXPECT_EQ((*tta)[1].class_probs.sizes(), (at::IntArrayRef{3, 8, 7}));
  EXPECT_TRUE(at::allclose((*tta)[1].class_probs.sum(0), at::ones({8, 7}), 1e-5, 1e-5));
}

TEST(TestTimeResizeTest, ScalesTheChosenSideToItsSize) {
  TestTimeResize resize;
  EXPECT_FALSE(resize.Enabled());
  EXPECT_EQ(resize.Describe(), "none");
  EXPECT_EQ(resize.ScaleFor(300, 400), 1.0);
  resize.side = TestTimeResize::Side::kLongest;
  resize.size = 640;
  EXPECT_EQ(resize.ScaleFor(300, 400), 1.6);
  EXPECT_EQ(resize.ScaleFor(800, 400), 0.8);
  resize.side = TestTimeResize::Side::kShortest;
  resize.size = 150;
  resize.size_divisor = 128;
  EXPECT_EQ(resize.ScaleFor(300, 400), 0.5);
  EXPECT_EQ(resize.Describe(), "shortest side 150, size divisor 128");
}

// The model sees the resized image; the evaluator and the labeler get predictions
// in the image's own coordinates.
TEST(TestTimeResizeTest, PredictionsAtTheResizedSizeMapBackToTheImage) {
  TestTimeResize resize;
  resize.side = TestTimeResize::Side::kLongest;
  resize.size = 20;  // Image 0 (6 x 10) doubles; image 1 (8 x 7) is scaled by 2.5.
  TaskModel det = DetModel();
  absl::StatusOr<std::vector<Prediction>> boxes = PredictWithTta(det, Images(), {}, resize);
  ASSERT_THAT(boxes.status(), IsOk());
  // The fixed box [1, 2, 5, 6] of the 12 x 20 view is [0.5, 1, 2.5, 3] on image 0.
  EXPECT_TRUE(at::allclose((*boxes)[0].detections.boxes,
                           at::tensor(std::vector<float>{0.5, 1, 2.5, 3}).view({1, 4})));
  TaskModel seg = SegModel();
  absl::StatusOr<std::vector<Prediction>> probs = PredictWithTta(seg, Images(), {}, resize);
  ASSERT_THAT(probs.status(), IsOk());
  EXPECT_EQ((*probs)[0].class_probs.sizes(), (at::IntArrayRef{3, 6, 10}));
  EXPECT_EQ((*probs)[1].class_probs.sizes(), (at::IntArrayRef{3, 8, 7}));
  // Not the plain prediction: the ramp spans the 20-px view, not the image.
  EXPECT_FALSE(at::allclose((*probs)[0].class_probs, PlainPredict(seg, Images())[0].class_probs));
}

TEST(TestTimeResizeTest, ConfigReadsTheSectionAndAResizeNeedsItsSize) {
  const ParamSpecs specs = {ParamSpec::String("resize", "none", ""),
                            ParamSpec::Int("resize_to", 0, ""),
                            ParamSpec::Int("size_divisor", 0, "")};
  absl::StatusOr<Params> eval =
      ResolveParams(specs, {{"resize", std::string("longest_side")}, {"resize_to", int64_t{640}}});
  ASSERT_THAT(eval.status(), IsOk());
  absl::StatusOr<TestTimeResize> resize = TestTimeResizeFrom(*eval);
  ASSERT_THAT(resize.status(), IsOk());
  EXPECT_EQ(resize->Describe(), "longest side 640");
  eval = ResolveParams(specs, {{"resize", std::string("shortest_side")}});
  ASSERT_THAT(eval.status(), IsOk());
  EXPECT_THAT(TestTimeResizeFrom(*eval).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("eval.resize_to")));
}

TEST(TeacherTtaTest, ViewsAreScaledThenMirrored) {
  const at::Tensor image = at::randint(0, 256, {10, 21, 3}, at::kByte);
  EXPECT_TRUE(at::equal(ViewOf(image, 1.0, false), image));
  EXPECT_TRUE(at::equal(ViewOf(image, 1.0, true), image.flip({1})));
  const at::Tensor half = ViewOf(image, 0.5, true);
  EXPECT_EQ(half.sizes(), (at::IntArrayRef{5, 11, 3}));
  EXPECT_EQ(half.scalar_type(), at::kByte);
  EXPECT_TRUE(at::equal(half, ViewOf(image, 0.5, false).flip({1})));
}

TEST(TeacherTtaTest, BoxesOfAFlippedScaledViewMapBackToTheOriginal) {
  const at::Tensor box = at::tensor(std::vector<float>{1, 2, 5, 6}).view({1, 4});
  EXPECT_TRUE(at::equal(BoxesToOriginal(box, {10, 20}, {10, 20}, false), box));
  EXPECT_TRUE(at::equal(BoxesToOriginal(box, {10, 20}, {10, 20}, true),
                        at::tensor(std::vector<float>{15, 2, 19, 6}).view({1, 4})));
  const at::Tensor doubled = at::tensor(std::vector<float>{2, 4, 10, 12}).view({1, 4});
  EXPECT_TRUE(at::equal(BoxesToOriginal(doubled, {20, 40}, {10, 20}, false), box));
  EXPECT_TRUE(at::equal(BoxesToOriginal(doubled, {20, 40}, {10, 20}, true),
                        at::tensor(std::vector<float>{15, 2, 19, 6}).view({1, 4})));
}

TEST(TeacherTtaTest, DetectionViewsOfAFixedBoxMergeIntoBothPlaces) {
  TaskModel det = DetModel();
  TeacherTtaOptions options;
  options.flip = true;
  options.max_detections = 5;
  absl::StatusOr<std::vector<Prediction>> tta = PredictWithTta(det, Images(), options);
  ASSERT_THAT(tta.status(), IsOk());
  // Image 0 is 10 wide: the mirrored view's box [1, 2, 5, 6] lies at [5, 2, 9, 6].
  EXPECT_TRUE(at::equal((*tta)[0].detections.boxes,
                        at::tensor(std::vector<float>{1, 2, 5, 6, 5, 2, 9, 6}).view({2, 4})));
  options.max_detections = 0;
  tta = PredictWithTta(det, Images(), options);
  ASSERT_THAT(tta.status(), IsOk());
  EXPECT_EQ((*tta)[0].detections.boxes.size(0), 1);  // The largest view had one box.
}

TEST(TeacherTtaTest, MergeRemovesSameClassDuplicatesAndKeepsOtherClasses) {
  const Detections a = Boxes({0, 0, 10, 10, 20, 20, 30, 30}, {0.9f, 0.6f}, {0, 1});
  // IoU 90 / 110 with a's class-0 box: a duplicate. The same box as class 1: kept.
  const Detections b = Boxes({1, 0, 11, 10, 0, 0, 10, 10}, {0.85f, 0.7f}, {0, 1});
  absl::StatusOr<Detections> merged = MergeDetections({a, b}, 0.5, 10);
  ASSERT_THAT(merged.status(), IsOk());
  EXPECT_TRUE(at::equal(merged->scores, at::tensor(std::vector<float>{0.9f, 0.7f, 0.6f})));
  EXPECT_TRUE(at::equal(merged->labels, at::tensor(std::vector<int64_t>{0, 1, 1})));
  EXPECT_TRUE(at::equal(merged->boxes,
                        at::tensor(std::vector<float>{0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30})
                            .view({3, 4})));
  // Above the overlap the duplicate survives; without a cap, the largest view's count.
  absl::StatusOr<Detections> loose = MergeDetections({a, b}, 0.95, 10);
  ASSERT_THAT(loose.status(), IsOk());
  EXPECT_EQ(loose->scores.size(0), 4);
  absl::StatusOr<Detections> capped = MergeDetections({a, b}, 0.5, 0);
  ASSERT_THAT(capped.status(), IsOk());
  EXPECT_TRUE(at::equal(capped->scores, at::tensor(std::vector<float>{0.9f, 0.7f})));
}

TEST(TeacherTtaTest, MergeOfNoBoxesIsEmpty) {
  const Detections none = Boxes({}, {}, {});
  absl::StatusOr<Detections> merged = MergeDetections({none, none}, 0.5, 0);
  ASSERT_THAT(merged.status(), IsOk());
  EXPECT_EQ(merged->boxes.sizes(), (at::IntArrayRef{0, 4}));
}

// Labels every pixel with its most probable class.
class ArgmaxLabeler : public PseudoLabeler {
 public:
  absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                              const Prediction& prediction) const override {
    Sample label = image;
    label.mask = prediction.class_probs.argmax(0).to(at::kByte);
    return std::optional<Sample>(std::move(label));
  }
};

class ImagesDataset : public Dataset {
 public:
  int64_t Size() const override { return 2; }
  absl::StatusOr<Sample> Get(int64_t index) const override { return Images()[index]; }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

TEST(TeacherTtaTest, PseudoLabelLabelsTheMergedPrediction) {
  TaskModel seg = SegModel();
  TeacherTtaOptions options;
  options.flip = true;
  options.scales = {1.0, 1.5};
  absl::StatusOr<PseudoLabelSet> set = PseudoLabel(seg, ImagesDataset(), ArgmaxLabeler(), 2, options);
  ASSERT_THAT(set.status(), IsOk());
  absl::StatusOr<std::vector<Prediction>> merged = PredictWithTta(seg, Images(), options);
  ASSERT_THAT(merged.status(), IsOk());
  ASSERT_EQ(set->labels.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(at::equal(set->labels[i].mask, (*merged)[i].class_probs.argmax(0).to(at::kByte)));
  }
}

TEST(TeacherTtaTest, ConfigRejectsANonPositiveScaleNamingTheKey) {
  absl::StatusOr<ConfigDocument> document =
      ConfigDocument::Parse("[self_training]\nteacher_scales = [1.0, 0.0]\n", "exp.toml");
  ASSERT_THAT(document.status(), IsOk());
  const Registries registries;
  EXPECT_THAT(ValidateConfig(*document, ExperimentSchema(), registries).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("exp.toml:2:"), HasSubstr("self_training.teacher_scales"),
                             HasSubstr("got 0"))));
}

TEST(TeacherTtaTest, OptionsFromTheSectionAndAnEmptyScaleListIsAnError) {
  ParamSpecs specs;
  for (const SectionSpec& section : ExperimentSchema().sections) {
    if (section.name == "self_training") specs = section.params;
  }
  absl::StatusOr<Params> section =
      ResolveParams(specs, {{"teacher_flip", true}, {"teacher_scales", std::vector<double>{0.5, 1}}});
  ASSERT_THAT(section.status(), IsOk());
  absl::StatusOr<TeacherTtaOptions> options = TeacherTtaOptionsFrom(*section);
  ASSERT_THAT(options.status(), IsOk());
  EXPECT_TRUE(options->flip);
  EXPECT_EQ(options->scales, (std::vector<double>{0.5, 1}));
  EXPECT_EQ(options->nms_iou, 0.5);

  absl::StatusOr<Params> empty = ResolveParams(specs, {{"teacher_scales", std::vector<double>{}}});
  ASSERT_THAT(empty.status(), IsOk());
  EXPECT_THAT(TeacherTtaOptionsFrom(*empty).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("self_training.teacher_scales")));
}

}  // namespace
}  // namespace stlab
