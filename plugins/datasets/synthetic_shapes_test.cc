#include "plugins/datasets/synthetic_shapes.h"

#include <set>
#include <thread>
#include <vector>

#include "ATen/ATen.h"
#include "core/dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/datasets/registration.h"
#include "registry/registries.h"
#include "tests/testing/dataset_samples.h"
#include "tests/testing/status_matchers.h"

namespace stlab::datasets {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::MustGet;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uint64_t kSeed = 17;

bool SameSample(const Sample& a, const Sample& b) {
  return a.image_id == b.image_id && a.source == b.source && at::equal(a.image, b.image) &&
         at::equal(a.boxes, b.boxes) && at::equal(a.labels, b.labels) && at::equal(a.mask, b.mask);
}

TEST(SyntheticShapesTest, SampleHasTheDocumentedLayout) {
  SyntheticShapesDataset dataset(SyntheticShapesOptions(), kSeed);
  EXPECT_EQ(dataset.Size(), 512);
  EXPECT_EQ(dataset.Info().class_names,
            (std::vector<std::string>{"square", "circle", "triangle", "ellipse", "cross", "ring"}));
  EXPECT_TRUE(dataset.Info().has_boxes);
  EXPECT_TRUE(dataset.Info().has_masks);
  const Sample s = MustGet(dataset, 3);
  EXPECT_EQ(s.image_id, 3);
  EXPECT_EQ(s.source, "synthetic_shapes/train/3");
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{128, 128, 3}));
  EXPECT_EQ(s.image.scalar_type(), at::kByte);
  EXPECT_TRUE(s.image.is_contiguous());
  EXPECT_EQ(s.mask.sizes(), (std::vector<int64_t>{128, 128}));
  EXPECT_EQ(s.mask.scalar_type(), at::kByte);
  EXPECT_EQ(s.boxes.scalar_type(), at::kFloat);
  EXPECT_EQ(s.boxes.dim(), 2);
  EXPECT_EQ(s.boxes.size(1), 4);
  EXPECT_EQ(s.labels.scalar_type(), at::kLong);
  EXPECT_EQ(s.labels.size(0), s.boxes.size(0));
  EXPECT_THAT(dataset.Get(512), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("512")));
  EXPECT_THAT(dataset.Get(-1), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("-1")));
}

TEST(SyntheticShapesTest, SameSeedGivesIdenticalSamples) {
  SyntheticShapesDataset a(SyntheticShapesOptions(), kSeed);
  SyntheticShapesDataset b(SyntheticShapesOptions(), kSeed);
  for (int64_t i : {0, 1, 100, 511}) EXPECT_TRUE(SameSample(MustGet(a, i), MustGet(b, i))) << i;
}

TEST(SyntheticShapesTest, IndexSplitSeedAndOffsetEachChangeTheImage) {
  SyntheticShapesOptions val;
  val.split = "val";
  SyntheticShapesOptions unlabeled;
  unlabeled.split = "unlabeled";
  SyntheticShapesOptions test;
  test.split = "test";
  SyntheticShapesOptions offset;
  offset.seed_offset = 1;
  SyntheticShapesOptions classification;
  classification.single_centered_object = true;
  const Sample base = MustGet(SyntheticShapesDataset(SyntheticShapesOptions(), kSeed), 5);
  for (const Sample& other :
       {MustGet(SyntheticShapesDataset(SyntheticShapesOptions(), kSeed), 6),
        MustGet(SyntheticShapesDataset(SyntheticShapesOptions(), kSeed + 1), 5),
        MustGet(SyntheticShapesDataset(val, kSeed), 5),
        MustGet(SyntheticShapesDataset(unlabeled, kSeed), 5),
        MustGet(SyntheticShapesDataset(test, kSeed), 5),
        MustGet(SyntheticShapesDataset(offset, kSeed), 5),
        MustGet(SyntheticShapesDataset(classification, kSeed), 5)}) {
    EXPECT_FALSE(at::equal(base.image, other.image)) << other.source;
  }
}

TEST(SyntheticShapesTest, BoxesAreTightAroundEachInstancesVisiblePixels) {
  SyntheticShapesOptions options;
  options.max_objects = 8;
  int64_t instances = 0;
  for (int64_t i = 0; i < 100; ++i) {
    const internal::RenderedShapes r = internal::RenderSyntheticShapes(options, kSeed, i);
    const Sample& s = r.sample;
    for (int64_t j = 0; j < s.boxes.size(0); ++j) {
      const at::Tensor pixels = r.instance_ids == j + 1;
      const at::Tensor yx = pixels.nonzero();
      ASSERT_GT(yx.size(0), 0) << s.source << " instance " << j;
      const at::Tensor y = yx.select(1, 0).to(at::kFloat);
      const at::Tensor x = yx.select(1, 1).to(at::kFloat);
      const at::Tensor tight = at::stack({x.min(), y.min(), x.max() + 1, y.max() + 1});
      EXPECT_TRUE(at::equal(s.boxes[j], tight)) << s.source << " instance " << j;
      // The mask carries the instance's class exactly where the instance is visible.
      const int64_t label = s.labels[j].item<int64_t>();
      EXPECT_TRUE(at::all(s.mask.masked_select(pixels) == label + 1).item<bool>());
      ++instances;
    }
    // Object pixels outside every kept instance are ignore (255) or background.
    const at::Tensor unowned = s.mask.masked_select(r.instance_ids == 0);
    EXPECT_TRUE(at::all((unowned == 0) | (unowned == kIgnoreLabel)).item<bool>());
  }
  EXPECT_GT(instances, 200);
}

TEST(SyntheticShapesTest, LabelsAndMaskValuesAreInRange) {
  SyntheticShapesOptions options;
  options.num_classes = 3;
  SyntheticShapesDataset dataset(options, kSeed);
  std::set<int64_t> seen_labels;
  for (int64_t i = 0; i < 64; ++i) {
    const Sample s = MustGet(dataset, i);
    for (int64_t j = 0; j < s.labels.size(0); ++j) {
      const int64_t label = s.labels[j].item<int64_t>();
      EXPECT_GE(label, 0);
      EXPECT_LT(label, 3);
      seen_labels.insert(label);
    }
    const at::Tensor m = s.mask;
    EXPECT_TRUE(at::all((m <= 3) | (m == kIgnoreLabel)).item<bool>()) << s.source;
    EXPECT_TRUE(at::all(s.boxes.select(1, 0) < s.boxes.select(1, 2)).item<bool>());
    EXPECT_TRUE(at::all(s.boxes.select(1, 1) < s.boxes.select(1, 3)).item<bool>());
    EXPECT_TRUE(at::all((s.boxes >= 0) & (s.boxes <= 128)).item<bool>());
  }
  EXPECT_EQ(seen_labels, (std::set<int64_t>{0, 1, 2}));
}

TEST(SyntheticShapesTest, OcclusionHidesAndDropsInstances) {
  SyntheticShapesOptions options;
  options.min_objects = 6;
  options.max_objects = 6;
  options.min_scale = 0.4;
  options.max_scale = 0.6;
  options.min_visible_fraction = 0.5;
  int64_t dropped_images = 0;
  for (int64_t i = 0; i < 30; ++i) {
    const Sample s = internal::RenderSyntheticShapes(options, kSeed, i).sample;
    EXPECT_LE(s.boxes.size(0), 6);
    dropped_images += at::any(s.mask == kIgnoreLabel).item<bool>();
  }
  EXPECT_GT(dropped_images, 0);
}

TEST(SyntheticShapesTest, WithoutOcclusionInstancesAreFullyVisible) {
  SyntheticShapesOptions options;
  options.occlusion = false;
  options.min_objects = 3;
  for (int64_t i = 0; i < 30; ++i) {
    const Sample s = internal::RenderSyntheticShapes(options, kSeed, i).sample;
    EXPECT_FALSE(at::any(s.mask == kIgnoreLabel).item<bool>()) << s.source;
  }
}

TEST(SyntheticShapesTest, ClassificationVariantHasOneCentredObject) {
  SyntheticShapesOptions options;
  options.single_centered_object = true;
  options.min_scale = 0.3;
  options.max_scale = 0.8;
  SyntheticShapesDataset dataset(options, kSeed);
  for (int64_t i = 0; i < 32; ++i) {
    const Sample s = MustGet(dataset, i);
    ASSERT_EQ(s.labels.size(0), 1) << s.source;
    // The object's centre is the image's (its box need not be centred: triangles).
    const at::Tensor b = s.boxes[0];
    EXPECT_LT(b[0].item<float>(), 64.0f) << s.source;
    EXPECT_LT(b[1].item<float>(), 64.0f) << s.source;
    EXPECT_GT(b[2].item<float>(), 64.0f) << s.source;
    EXPECT_GT(b[3].item<float>(), 64.0f) << s.source;
    EXPECT_EQ(s.mask[64][64].item<uint8_t>() == 0, s.labels[0].item<int64_t>() == 5)
        << s.source << ": only a ring leaves the centre uncovered";
    EXPECT_TRUE(at::all((s.mask == 0) | (s.mask == s.labels[0].item<int64_t>() + 1)).item<bool>());
  }
}

TEST(SyntheticShapesTest, ConcurrentGetsEqualSequentialOnes) {
  SyntheticShapesDataset dataset(SyntheticShapesOptions(), kSeed);
  constexpr int64_t kCount = 40;
  std::vector<Sample> sequential;
  for (int64_t i = 0; i < kCount; ++i) sequential.push_back(MustGet(dataset, i));
  std::vector<Sample> parallel(kCount);
  auto worker = [&](int64_t first) {
    for (int64_t i = first; i < kCount; i += 2) parallel[i] = *dataset.Get(i);
  };
  std::thread a(worker, 0);
  std::thread b(worker, 1);
  a.join();
  b.join();
  for (int64_t i = 0; i < kCount; ++i) EXPECT_TRUE(SameSample(sequential[i], parallel[i])) << i;
}

// A position-weighted sum of the image bytes.
int64_t Checksum(const at::Tensor& image) {
  const at::Tensor weights = at::arange(image.numel(), at::kLong).remainder(1009).add(1);
  return image.reshape({-1}).to(at::kLong).mul(weights).sum().item<int64_t>();
}

TEST(SyntheticShapesTest, KnownImagesAreBitStable) {
  // Guards bit-identical generation across machines and refactorings: if these
  // change, every synthetic experiment's data changed.
  SyntheticShapesDataset dataset(SyntheticShapesOptions(), 0);
  EXPECT_EQ(Checksum(MustGet(dataset, 0).image), 4370096634);
  EXPECT_EQ(Checksum(MustGet(dataset, 1).image), 3398574333);
  EXPECT_EQ(Checksum(MustGet(dataset, 0).mask), 3301212);
}

TEST(SyntheticShapesRegistryTest, BothDatasetsBuildWithDefaults) {
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.seed = kSeed;
  absl::StatusOr<std::shared_ptr<Dataset>> detection =
      registries.datasets().Create("synthetic_shapes", {}, context);
  ASSERT_THAT(detection, IsOk());
  EXPECT_EQ((*detection)->Size(), 512);
  // The registry's dataset is the one a direct construction gives for the run seed.
  EXPECT_TRUE(SameSample(MustGet(**detection, 7),
                         MustGet(SyntheticShapesDataset(SyntheticShapesOptions(), kSeed), 7)));
  absl::StatusOr<std::shared_ptr<Dataset>> classification = registries.datasets().Create(
      "synthetic_shapes_classification",
      {{"image_size", int64_t{64}}, {"split", std::string("val")}}, context);
  ASSERT_THAT(classification, IsOk());
  const Sample s = MustGet(**classification, 0);
  EXPECT_EQ(s.image.size(0), 64);
  EXPECT_EQ(s.source, "synthetic_shapes_classification/val/0");
  EXPECT_EQ(s.labels.size(0), 1);
}

TEST(SyntheticShapesRegistryTest, InvalidParametersAreErrorsNamingThem) {
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  EXPECT_THAT(registries.datasets().Create(
                  "synthetic_shapes", {{"min_objects", int64_t{5}}, {"max_objects", int64_t{2}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("synthetic_shapes"), HasSubstr("min_objects (5)"),
                             HasSubstr("max_objects (2)"))));
  EXPECT_THAT(
      registries.datasets().Create("synthetic_shapes", {{"min_scale", 0.6}, {"max_scale", 0.3}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("min_scale"), HasSubstr("max_scale"))));
  EXPECT_FALSE(
      registries.datasets().Create("synthetic_shapes", {{"num_classes", int64_t{7}}}).ok());
  EXPECT_FALSE(
      registries.datasets().Create("synthetic_shapes", {{"split", std::string("holdout")}}).ok());
  // The classification variant declares no object-count parameters.
  EXPECT_FALSE(registries.datasets()
                   .Create("synthetic_shapes_classification", {{"max_objects", int64_t{2}}})
                   .ok());
}

}  // namespace
}  // namespace stlab::datasets
