// The engine builds task models from configs through the registries, with the real
// model plugins: parameter naming, seeded construction, task-specific checks,
// prediction layout and the losses of hard and soft labels.
#include "core/engine/task_model.h"

#include <cmath>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/data/batch.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/detection/registration.h"
#include "plugins/models/registration.h"
#include "plugins/segmentation/registration.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kModel[] = R"(
[model.backbone]
type = "resnet"
depth = 18
width_multiplier = 0.125

[model.neck]
type = "fpn"
out_channels = 32
min_level = 3
max_level = 5
)";

class TaskModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(models::RegisterModels(registries_), IsOk());
    ASSERT_THAT(detection::RegisterDetection(registries_), IsOk());
    ASSERT_THAT(segmentation::RegisterSegmentation(registries_), IsOk());
  }

  /// `model_keys`: lines of the [model] table itself (memory_format).
  absl::StatusOr<std::shared_ptr<TaskModel>> Build(const std::string& head, const DatasetInfo& info,
                                                   uint64_t seed, const std::string& model_keys = "") {
    absl::StatusOr<ConfigDocument> document = ConfigDocument::Parse(
        "[model]\n" + model_keys + kModel + "[model.head]\n" + head, "test.toml");
    if (!document.ok()) return document.status();
    absl::StatusOr<ValidatedConfig> config = ValidateConfig(*document, ExperimentSchema(), registries_);
    if (!config.ok()) return config.status();
    return BuildTaskModel(*config, registries_, info, seed);
  }

  static DatasetInfo Shapes(bool masks) {
    DatasetInfo info;
    info.class_names = {"circle", "square"};
    info.category_ids = {1, 2};
    info.has_boxes = true;
    if (masks) {
      info.has_masks = true;
      info.mask_class_names = {"background", "circle", "square"};
    }
    return info;
  }

  static Batch RandomBatch() {
    Batch batch;
    batch.images = at::randn({2, 3, 64, 64});
    batch.image_sizes = {{64, 64}, {40, 56}};
    return batch;
  }

  Registries registries_;
};

TEST_F(TaskModelTest, DetectionModelNamesItsPartsAndIsSeeded) {
  auto a = Build("type = \"retinanet\"\nnum_convs = 1\n", Shapes(false), 7);
  ASSERT_THAT(a.status(), IsOk());
  EXPECT_EQ((*a)->task(), Task::kDetection);
  EXPECT_EQ((*a)->size_divisor(), 32);
  const auto params = (*a)->named_parameters();
  EXPECT_TRUE(params.contains("backbone.conv1.weight"));
  EXPECT_TRUE(params.contains("neck.lateral3.weight"));
  EXPECT_TRUE(params.contains("head.classification_head.cls_logits.bias"));

  auto same = Build("type = \"retinanet\"\nnum_convs = 1\n", Shapes(false), 7);
  auto other = Build("type = \"retinanet\"\nnum_convs = 1\n", Shapes(false), 8);
  ASSERT_THAT(same.status(), IsOk());
  ASSERT_THAT(other.status(), IsOk());
  const auto same_params = (*same)->named_parameters();
  const auto other_params = (*other)->named_parameters();
  for (const auto& item : params) {
    EXPECT_TRUE(at::equal(item.value(), same_params[item.key()])) << item.key();
  }
  EXPECT_FALSE(at::equal(params["backbone.conv1.weight"], other_params["backbone.conv1.weight"]));
}

TEST(ConvLayoutTest, AutoIsChannelsLastAndExplicitChoicesStand) {
  EXPECT_EQ(ResolveConvLayout(ConvLayout::kAuto), ConvLayout::kChannelsLast);
  EXPECT_EQ(ResolveConvLayout(ConvLayout::kChannelsLast), ConvLayout::kChannelsLast);
  EXPECT_EQ(ResolveConvLayout(ConvLayout::kContiguous), ConvLayout::kContiguous);
  for (const ConvLayout layout :
       {ConvLayout::kAuto, ConvLayout::kChannelsLast, ConvLayout::kContiguous}) {
    const absl::StatusOr<ConvLayout> parsed = ParseConvLayout(ConvLayoutName(layout));
    ASSERT_THAT(parsed.status(), IsOk());
    EXPECT_EQ(*parsed, layout);
  }
  EXPECT_THAT(ParseConvLayout("nhwc"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.memory_format")));
}

TEST_F(TaskModelTest, DetectionPredictionsStayInsideEachImage) {
  auto model = Build("type = \"retinanet\"\nnum_convs = 1\nscore_threshold = 0.0\n", Shapes(false), 1);
  ASSERT_THAT(model.status(), IsOk());
  const std::vector<Prediction> predictions = (*model)->Predict(RandomBatch());
  ASSERT_EQ(predictions.size(), 2u);
  const at::Tensor boxes = predictions[1].detections.boxes;
  ASSERT_GT(boxes.size(0), 0);
  EXPECT_LE(boxes.select(1, 2).max().item<float>(), 56.0f);
  EXPECT_LE(boxes.select(1, 3).max().item<float>(), 40.0f);
}

TEST_F(TaskModelTest, SegmentationPredictsProbabilitiesOverMaskClassesAtImageSize) {
  auto model = Build("type = \"semantic_fpn\"\nchannels = 32\n", Shapes(true), 1);
  ASSERT_THAT(model.status(), IsOk());
  EXPECT_EQ((*model)->task(), Task::kSegmentation);
  const std::vector<Prediction> predictions = (*model)->Predict(RandomBatch());
  EXPECT_EQ(predictions[1].class_probs.sizes(), (at::IntArrayRef{3, 40, 56}));
  EXPECT_TRUE(at::allclose(predictions[1].class_probs.sum(0), at::ones({40, 56}), 1e-5, 1e-5));
}

TEST_F(TaskModelTest, HeadsRefuseDatasetsWithoutTheirLabels) {
  EXPECT_THAT(Build("type = \"semantic_fpn\"\n", Shapes(false), 1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("masks")));
  DatasetInfo no_boxes;
  EXPECT_THAT(Build("type = \"retinanet\"\n", no_boxes, 1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("boxes")));
}

// Two 64 x 64 images with one square of class 1 each; masks (background 0, the
// square 2) beside the boxes.
std::vector<Sample> SquareSamples() {
  std::vector<Sample> samples;
  for (int64_t i = 0; i < 2; ++i) {
    Sample s;
    s.source = "square" + std::to_string(i);
    s.image = at::full({64, 64, 3}, 40, at::kByte);
    s.image.slice(0, 10 + i, 40).slice(1, 12, 44).fill_(220);
    s.boxes = at::tensor({12.f, 10.f + i, 44.f, 40.f}).reshape({1, 4});
    s.labels = at::tensor({int64_t{1}});
    s.mask = at::zeros({64, 64}, at::kByte);
    s.mask.slice(0, 10 + i, 40).slice(1, 12, 44).fill_(2);
    samples.push_back(s);
  }
  return samples;
}

double Term(const LossTerms& terms, const std::string& name) { return terms.at(name).item<double>(); }

TEST_F(TaskModelTest, SoftBoxScoresScaleOnlyTheClassTargets) {
  auto model = Build("type = \"retinanet\"\nnum_convs = 1\n", Shapes(false), 3);
  ASSERT_THAT(model.status(), IsOk());
  std::vector<Sample> hard = SquareSamples();
  std::vector<Sample> ones = SquareSamples();
  std::vector<Sample> soft = SquareSamples();
  for (Sample& s : ones) s.label_scores = at::tensor({1.0f});
  for (Sample& s : soft) s.label_scores = at::tensor({0.6f});
  const LossTerms hard_loss = (*model)->Loss(*Collate(hard, 32));
  const LossTerms ones_loss = (*model)->Loss(*Collate(ones, 32));
  const LossTerms soft_loss = (*model)->Loss(*Collate(soft, 32));
  EXPECT_NEAR(Term(ones_loss, "cls"), Term(hard_loss, "cls"), 1e-6);
  EXPECT_NE(Term(soft_loss, "cls"), Term(hard_loss, "cls"));
  EXPECT_EQ(Term(soft_loss, "box"), Term(hard_loss, "box"));
}

TEST_F(TaskModelTest, OneHotSoftMasksGiveTheHardLossAndSoftOnesAnother) {
  auto model = Build("type = \"semantic_fpn\"\nchannels = 32\n", Shapes(true), 3);
  ASSERT_THAT(model.status(), IsOk());
  std::vector<Sample> hard = SquareSamples();
  std::vector<Sample> one_hot = SquareSamples();
  std::vector<Sample> soft = SquareSamples();
  for (size_t i = 0; i < hard.size(); ++i) {
    one_hot[i].soft_mask =
        (at::one_hot(hard[i].mask.to(at::kLong), 3).permute({2, 0, 1}) * 255).to(at::kByte);
    soft[i].soft_mask = at::full({3, 64, 64}, 85, at::kByte);  // Uniform over 3 classes.
  }
  hard[0].mask.slice(0, 0, 5).fill_(kIgnoreLabel);  // Ignored pixels stay ignored.
  one_hot[0].mask.slice(0, 0, 5).fill_(kIgnoreLabel);
  const double hard_loss = Term((*model)->Loss(*Collate(hard, 32)), "seg");
  EXPECT_NEAR(Term((*model)->Loss(*Collate(one_hot, 32)), "seg"), hard_loss, 1e-5);
  EXPECT_GT(std::abs(Term((*model)->Loss(*Collate(soft, 32)), "seg") - hard_loss), 1e-3);
}

TEST_F(TaskModelTest, MemoryFormatSetsTheWeightLayoutAndLeavesTheLossUnchanged) {
  const std::string head = "type = \"retinanet\"\nnum_convs = 1\n";
  auto automatic = Build(head, Shapes(false), 7);
  auto contiguous = Build(head, Shapes(false), 7, "memory_format = \"contiguous\"\n");
  ASSERT_THAT(automatic.status(), IsOk());
  ASSERT_THAT(contiguous.status(), IsOk());
  EXPECT_EQ((*automatic)->conv_layout(), ConvLayout::kChannelsLast);
  EXPECT_EQ((*contiguous)->conv_layout(), ConvLayout::kContiguous);
  const at::Tensor nhwc = (*automatic)->named_parameters()["backbone.conv1.weight"];
  const at::Tensor nchw = (*contiguous)->named_parameters()["backbone.conv1.weight"];
  EXPECT_TRUE(nhwc.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(nhwc.is_contiguous());
  EXPECT_TRUE(nchw.is_contiguous());
  EXPECT_TRUE(at::equal(nhwc, nchw));

  const Batch batch = *Collate(SquareSamples(), 32);
  const LossTerms a = (*automatic)->Loss(batch);
  const LossTerms b = (*contiguous)->Loss(batch);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, term] : a) {
    EXPECT_TRUE(at::allclose(term, b.at(name), /*rtol=*/1e-4, /*atol=*/1e-6)) << name;
  }

  EXPECT_THAT(Build(head, Shapes(false), 7, "memory_format = \"nhwc\"\n").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("memory_format")));
}

}  // namespace
}  // namespace stlab
