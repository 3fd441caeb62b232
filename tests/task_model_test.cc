// The engine builds task models from configs through the registries, with the real
// model plugins: parameter naming, seeded construction, task-specific checks and
// prediction layout.
#include "core/engine/task_model.h"

#include "ATen/ATen.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
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

  absl::StatusOr<std::shared_ptr<TaskModel>> Build(const std::string& head, const DatasetInfo& info,
                                                   uint64_t seed) {
    absl::StatusOr<ConfigDocument> document =
        ConfigDocument::Parse(std::string(kModel) + "[model.head]\n" + head, "test.toml");
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

}  // namespace
}  // namespace stlab
