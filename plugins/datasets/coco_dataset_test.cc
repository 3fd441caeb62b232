// Tests for the `coco` dataset: the real tiny_coco fixture (skipped when the shared
// folder is absent) and small hand-written files for every bad input.
#include "plugins/datasets/coco_dataset.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "plugins/datasets/registration.h"
#include "registry/registries.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/dataset_samples.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::MustGet;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// The real fixture: 16 COCO train2017 images, 197 annotations (one crowd RLE).

// It stays outside the repository (COCO's terms of use): skipped with a message
// where absent, required in CI (tests/testing/fixtures.h).
fs::path TinyCoco() { return ::stlab::testing::ExternalFixture("tiny_coco"); }
fs::path TinyCocoJson() { return TinyCoco() / "instances_train2017_small.json"; }

#define SKIP_WITHOUT_TINY_COCO() STLAB_NEED_EXTERNAL_FIXTURE(TinyCocoJson())

constexpr int64_t kCrowdAnnotationId = 900100184613;  // Image 184613, person.

std::shared_ptr<CocoDataset> MustLoad(CocoOptions options) {
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = CocoDataset::Create(std::move(options));
  EXPECT_THAT(dataset, IsOk());
  return dataset.ok() ? *dataset : nullptr;
}

CocoOptions TinyCocoOptions(bool masks) {
  CocoOptions options;
  options.annotations = TinyCocoJson();
  options.images = TinyCoco() / "train_2017_small";
  options.masks = masks;
  return options;
}

const CocoAnnotationEntry* FindAnnotation(const CocoInstances& coco, int64_t id) {
  for (const CocoAnnotationEntry& ann : coco.annotations) {
    if (ann.id == id) return &ann;
  }
  return nullptr;
}

TEST(CocoTinyFixtureTest, CountsAndCategoryRemapping) {
  SKIP_WITHOUT_TINY_COCO();
  const std::shared_ptr<CocoDataset> dataset = MustLoad(TinyCocoOptions(false));
  ASSERT_NE(dataset, nullptr);
  EXPECT_EQ(dataset->Size(), 16);
  const DatasetInfo& info = dataset->Info();
  ASSERT_EQ(info.class_names.size(), 80u);
  ASSERT_EQ(info.category_ids.size(), 80u);
  // Contiguous indices in file order; the COCO ids (with their gaps) are kept.
  EXPECT_EQ(info.class_names[0], "person");
  EXPECT_EQ(info.category_ids[0], 1);
  EXPECT_EQ(info.class_names[3], "motorcycle");
  EXPECT_EQ(info.category_ids[3], 4);
  EXPECT_EQ(info.class_names[11], "stop sign");
  EXPECT_EQ(info.category_ids[11], 13);
  EXPECT_EQ(info.class_names[79], "toothbrush");
  EXPECT_EQ(info.category_ids[79], 90);
  EXPECT_TRUE(info.has_boxes);
  EXPECT_FALSE(info.has_masks);
  EXPECT_TRUE(info.mask_class_names.empty());

  int64_t boxes = 0;
  int64_t ignore_boxes = 0;
  for (int64_t i = 0; i < dataset->Size(); ++i) {
    const Sample s = MustGet(*dataset, i);
    EXPECT_EQ(s.image.dim(), 3);
    EXPECT_EQ(s.image.size(2), 3);
    EXPECT_EQ(s.image.scalar_type(), at::kByte);
    EXPECT_TRUE(s.image.is_contiguous());
    EXPECT_EQ(s.boxes.size(0), s.labels.size(0));
    EXPECT_TRUE(at::all((s.labels >= 0) & (s.labels < 80)).item<bool>());
    EXPECT_TRUE(at::all(s.boxes.select(1, 2) <= s.image.size(1)).item<bool>()) << s.source;
    EXPECT_TRUE(at::all(s.boxes.select(1, 3) <= s.image.size(0)).item<bool>()) << s.source;
    EXPECT_FALSE(s.mask.defined());
    boxes += s.boxes.size(0);
    ignore_boxes += s.ignore_boxes.size(0);
  }
  EXPECT_EQ(boxes, 196);
  EXPECT_EQ(ignore_boxes, 1);

  // The first image of the JSON: 000000391895.jpg, 640x360, two people, a
  // motorcycle (annotation 151091, COCO id 4 -> class 3) and a bicycle.
  const Sample first = MustGet(*dataset, 0);
  EXPECT_EQ(first.image_id, 391895);
  EXPECT_EQ(fs::path(first.source).filename(), "000000391895.jpg");
  EXPECT_EQ(first.image.sizes(), (std::vector<int64_t>{360, 640, 3}));
  EXPECT_TRUE(at::equal(first.labels, at::tensor({3, 0, 0, 1}, at::kLong))) << first.labels;
  EXPECT_TRUE(at::allclose(first.boxes[0], at::tensor({359.17f, 146.17f, 471.62f, 359.74f})))
      << first.boxes[0];
}

TEST(CocoTinyFixtureTest, CrowdAnnotationIsAnIgnoreBoxNotABox) {
  SKIP_WITHOUT_TINY_COCO();
  const std::shared_ptr<CocoDataset> dataset = MustLoad(TinyCocoOptions(false));
  ASSERT_NE(dataset, nullptr);
  const Sample s = MustGet(*dataset, 2);
  EXPECT_EQ(s.image_id, 184613);
  EXPECT_EQ(s.boxes.size(0), 23);
  ASSERT_EQ(s.ignore_boxes.sizes(), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(at::equal(s.ignore_boxes[0], at::tensor({0.0f, 35.0f, 481.0f, 185.0f})));
}

TEST(CocoTinyFixtureTest, CrowdRleDecodesToItsArea) {
  SKIP_WITHOUT_TINY_COCO();
  absl::StatusOr<CocoInstances> coco = ReadCocoInstances(TinyCocoJson(), true);
  ASSERT_THAT(coco, IsOk());
  const CocoAnnotationEntry* crowd = FindAnnotation(*coco, kCrowdAnnotationId);
  ASSERT_NE(crowd, nullptr);
  const auto* rle = std::get_if<CocoRle>(&crowd->segmentation);
  ASSERT_NE(rle, nullptr);
  EXPECT_EQ(rle->height, 336);
  EXPECT_EQ(rle->width, 500);
  int64_t ones = 0;
  for (size_t i = 1; i < rle->counts.size(); i += 2) ones += rle->counts[i];
  cv::Mat mask = cv::Mat::zeros(336, 500, CV_8U);
  PaintRle(*rle, 1, mask);
  EXPECT_EQ(cv::countNonZero(mask), ones);
  // NOTE: the file's "area" for this region, 8340, is not its RLE's: the 1-runs of
  // its 533 counts sum to 7378 (checked independently of this code), so the area
  // cannot be matched to a few pixels; the decoded pixels must match the runs.
  EXPECT_EQ(ones, 7378);
  EXPECT_EQ(crowd->area, 8340);
  // Its pixels span the crowd's box [0, 35, 481, 150].
  const cv::Rect bounds = cv::boundingRect(mask);
  EXPECT_NEAR(bounds.x, 0, 1);
  EXPECT_NEAR(bounds.y, 35, 1);
  EXPECT_NEAR(bounds.width, 481, 1);
  EXPECT_NEAR(bounds.height, 150, 1);
}

TEST(CocoTinyFixtureTest, PolygonRasterMatchesItsArea) {
  SKIP_WITHOUT_TINY_COCO();
  absl::StatusOr<CocoInstances> coco = ReadCocoInstances(TinyCocoJson(), true);
  ASSERT_THAT(coco, IsOk());
  const CocoAnnotationEntry* motorcycle = FindAnnotation(*coco, 151091);
  ASSERT_NE(motorcycle, nullptr);
  const auto* polygons = std::get_if<std::vector<CocoPolygon>>(&motorcycle->segmentation);
  ASSERT_NE(polygons, nullptr);
  cv::Mat mask = cv::Mat::zeros(360, 640, CV_8U);
  PaintPolygons(*polygons, 1, mask);
  EXPECT_NEAR(cv::countNonZero(mask), motorcycle->area, 0.01 * motorcycle->area);  // 12190.4
}

TEST(CocoTinyFixtureTest, MaskHoldsClassesAndCrowdIgnore) {
  SKIP_WITHOUT_TINY_COCO();
  const std::shared_ptr<CocoDataset> dataset = MustLoad(TinyCocoOptions(true));
  ASSERT_NE(dataset, nullptr);
  EXPECT_TRUE(dataset->Info().has_masks);
  const std::vector<std::string>& values = dataset->Info().mask_class_names;
  ASSERT_EQ(values.size(), 81u);
  EXPECT_EQ(values[0], "background");
  EXPECT_EQ(values[4], "motorcycle");
  // (415, 252) lies inside the motorcycle's polygon only: class 3 -> 4.
  const Sample first = MustGet(*dataset, 0);
  ASSERT_EQ(first.mask.sizes(), (std::vector<int64_t>{360, 640}));
  EXPECT_EQ(first.mask.scalar_type(), at::kByte);
  EXPECT_EQ(first.mask[252][415].item<uint8_t>(), 4);
  EXPECT_EQ(first.mask[5][5].item<uint8_t>(), 0);
  // (203, 394) lies inside the cake of image 522418 only (COCO id 61 -> class 55).
  const Sample second = MustGet(*dataset, 1);
  EXPECT_EQ(second.image_id, 522418);
  EXPECT_EQ(second.mask[394][203].item<uint8_t>(), 56);
  // The crowd region is 255 where no labelled person covers it.
  const Sample crowd = MustGet(*dataset, 2);
  const int64_t ignored = (crowd.mask == kIgnoreLabel).sum().item<int64_t>();
  EXPECT_GT(ignored, 4000);
  EXPECT_LE(ignored, 7378);  // The crowd RLE's pixels.
  for (int64_t i = 0; i < dataset->Size(); ++i) {
    const Sample s = MustGet(*dataset, i);
    EXPECT_TRUE(at::all((s.mask <= 80) | (s.mask == kIgnoreLabel)).item<bool>()) << s.source;
    EXPECT_EQ(s.mask.size(0), s.image.size(0));
    EXPECT_EQ(s.mask.size(1), s.image.size(1));
  }
}

TEST(CocoTinyFixtureTest, RegistryResolvesRelativePathsAndReadsGzip) {
  SKIP_WITHOUT_TINY_COCO();
  const fs::path dir = FreshTestDir();
  std::ifstream in(TinyCocoJson(), std::ios::binary);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gzFile gz = gzopen((dir / "instances.json.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, json.data(), static_cast<unsigned>(json.size())),
            static_cast<int>(json.size()));
  gzclose(gz);

  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = dir;
  absl::StatusOr<std::shared_ptr<Dataset>> dataset = registries.datasets().Create(
      "coco",
      {{"annotations", std::string("instances.json.gz")},
       {"images", fs::relative(TinyCoco() / "train_2017_small", dir).string()}},
      context);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Size(), 16);
  EXPECT_EQ(MustGet(**dataset, 3).image_id, 318219);
}

// ---------------------------------------------------------------------------
// Hand-written files: two 40x30 PNG images, categories 5 "cat" then 3 "dog".

class CocoFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir();
    fs::create_directories(dir_ / "images");
    cv::Mat image(30, 40, CV_8UC3, cv::Scalar(10, 20, 30));
    ASSERT_TRUE(cv::imwrite((dir_ / "images" / "a.png").string(), image));
    ASSERT_TRUE(cv::imwrite((dir_ / "images" / "b.png").string(), image));
  }

  // An instances file with `annotations` (the JSON list's content).
  fs::path WriteJson(const std::string& annotations, const std::string& extra_image = "") {
    return WriteFile(
        dir_ / "instances.json",
        absl::StrCat(R"({"info": {"year": 2017}, "images": [)",
                     R"({"id": 1, "file_name": "a.png", "width": 40, "height": 30},)",
                     R"({"id": 2, "file_name": "b.png", "width": 40, "height": 30})", extra_image,
                     R"(], "categories": [{"id": 5, "name": "cat"}, {"id": 3, "name": "dog"}],)",
                     R"("annotations": [)", annotations, "]}"));
  }

  absl::StatusOr<std::shared_ptr<CocoDataset>> Load(bool masks = false, bool skip = false) {
    CocoOptions options;
    options.annotations = dir_ / "instances.json";
    options.images = dir_ / "images";
    options.masks = masks;
    options.skip_images_without_annotations = skip;
    return CocoDataset::Create(options);
  }

  static std::string Annotation(int64_t id, int64_t image_id, int64_t category_id,
                                const std::string& bbox, const std::string& extra = "") {
    return absl::StrCat(R"({"id": )", id, R"(, "image_id": )", image_id, R"(, "category_id": )",
                        category_id, R"(, "bbox": )", bbox, extra, "}");
  }

  fs::path dir_;
};

TEST_F(CocoFilesTest, CategoriesFollowFileOrderAndImagesWithoutAnnotationsAreSamples) {
  WriteJson(absl::StrCat(Annotation(7, 1, 3, "[1, 2, 10, 5]"), ",",
                         Annotation(8, 1, 5, "[0, 0, 40, 30]", R"(, "iscrowd": 1)")));
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = Load();
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Info().class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ((*dataset)->Info().category_ids, (std::vector<int64_t>{5, 3}));
  ASSERT_EQ((*dataset)->Size(), 2);
  const Sample a = MustGet(**dataset, 0);
  EXPECT_TRUE(at::equal(a.boxes, at::tensor({1.0f, 2.0f, 11.0f, 7.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(a.labels, at::tensor({1}, at::kLong)));  // "dog", COCO id 3.
  EXPECT_TRUE(at::equal(a.ignore_boxes, at::tensor({0.0f, 0.0f, 40.0f, 30.0f}).reshape({1, 4})));
  // OpenCV wrote BGR (10, 20, 30): the sample is RGB.
  EXPECT_TRUE(at::equal(a.image[0][0], at::tensor({30, 20, 10}, at::kByte)));
  const Sample b = MustGet(**dataset, 1);
  EXPECT_EQ(b.image_id, 2);
  EXPECT_EQ(b.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(b.labels.sizes(), (std::vector<int64_t>{0}));
  EXPECT_EQ(b.ignore_boxes.sizes(), (std::vector<int64_t>{0, 4}));
}

TEST_F(CocoFilesTest, SkipImagesWithoutAnnotationsLeavesOutImagesWithoutBoxes) {
  WriteJson(absl::StrCat(Annotation(7, 2, 3, "[1, 2, 10, 5]"), ",",
                         Annotation(8, 1, 5, "[0, 0, 40, 30]", R"(, "iscrowd": true)")));
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = Load(false, true);
  ASSERT_THAT(dataset, IsOk());
  ASSERT_EQ((*dataset)->Size(), 1);
  EXPECT_EQ(MustGet(**dataset, 0).image_id, 2);
  EXPECT_THAT((*dataset)->Get(1), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("1")));
}

TEST_F(CocoFilesTest, MaskFromPolygonAndCompressedRle) {
  // A polygon square of class "cat" and an RLE (string counts) of class "dog" over
  // column 0, rows 10..19, i.e. runs 10 zeros, 10 ones, then the rest zeros.
  WriteJson(absl::StrCat(
      Annotation(7, 1, 5, "[2, 2, 4, 4]", R"(, "segmentation": [[2, 2, 6, 2, 6, 6, 2, 6]])"), ",",
      Annotation(8, 1, 3, "[0, 10, 1, 10]",
                 R"(, "segmentation": {"size": [30, 40], "counts": "::lT1"}, "area": 10)")));
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = Load(true);
  ASSERT_THAT(dataset, IsOk());
  const Sample s = MustGet(**dataset, 0);
  EXPECT_EQ((s.mask == 1).sum().item<int64_t>(), 16);
  EXPECT_EQ(s.mask[3][3].item<uint8_t>(), 1);
  EXPECT_EQ((s.mask == 2).sum().item<int64_t>(), 10);
  EXPECT_TRUE(at::all(s.mask.select(1, 0).slice(0, 10, 20) == 2).item<bool>());
  EXPECT_EQ((s.mask != 0).sum().item<int64_t>(), 26);
}

TEST_F(CocoFilesTest, SmallOvershootIsClippedAndZeroSizeBoxIsSkipped) {
  WriteJson(absl::StrCat(Annotation(7, 1, 5, "[-0.5, 20, 40.8, 10.6]"), ",",
                         Annotation(918, 1, 5, "[5, 5, 1.03, 0.0]")));
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = Load();
  ASSERT_THAT(dataset, IsOk());
  const Sample s = MustGet(**dataset, 0);
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({0.0f, 20.0f, 40.0f, 30.0f}).reshape({1, 4})));
}

TEST_F(CocoFilesTest, BadAnnotationsFailConstructionNamingTheAnnotation) {
  const std::string file = (dir_ / "instances.json").string();
  const auto fails_with = [&](const std::string& annotations, const std::string& what) {
    WriteJson(annotations);
    EXPECT_THAT(Load(true), StatusIs(absl::StatusCode::kInvalidArgument,
                                     AllOf(HasSubstr(file), HasSubstr(what))))
        << annotations;
  };
  fails_with(Annotation(7, 1, 99, "[1, 1, 2, 2]"),
             "annotation id 7 (image id 1): category id 99 is not in \"categories\"");
  fails_with(Annotation(7, 4, 5, "[1, 1, 2, 2]"), "annotation id 7 (image id 4): image id 4");
  fails_with(Annotation(7, 1, 5, "[1, 1, -2, 2]"),
             "annotation id 7 (image id 1): bbox [1, 1, -2, 2] has a negative width");
  fails_with(Annotation(7, 1, 5, "[45, 1, 2, 2]"),
             "annotation id 7 (image id 1): bbox [45, 1, 2, 2] lies outside the 40x30 image");
  fails_with(Annotation(7, 1, 5, "[1, -3, 2, 10]"),
             "annotation id 7 (image id 1): bbox [1, -3, 2, 10] extends more than 1 px");
  fails_with(Annotation(7, 1, 5, "[1, 1, 2]"), "annotations[0].bbox: expected 4 numbers");
  fails_with(Annotation(7, 1, 5, "[1, 1, 2, 2]"), "annotation id 7 (image id 1): no segmentation");
  fails_with(Annotation(7, 1, 5, "[1, 1, 2, 2]", R"(, "segmentation": [[1, 1, 2]])"),
             "annotations[0].segmentation: polygon 0 has an odd number (3)");
  fails_with(Annotation(7, 1, 5, "[1, 1, 2, 2]",
                        R"(, "segmentation": {"size": [20, 40], "counts": [800]})"),
             "annotation id 7 (image id 1): RLE size [20, 40] is not the 40x30 image's");
  fails_with(Annotation(7, 1, 5, "[1, 1, 2, 2]",
                        R"(, "segmentation": {"size": [30, 40], "counts": [10, 5]})"),
             "annotations[0].segmentation: RLE counts sum to 15 pixels");
  // Found by tests/fuzz/coco_json_fuzzer: converting this size to an integer was
  // undefined behaviour (UBSan: float-cast-overflow).
  fails_with(Annotation(7, 1, 5, "[1, 1, 2, 2]",
                        R"(, "segmentation": {"size": [1e300, 40], "counts": [800]})"),
             "annotations[0].segmentation.size: [1e+300, 40] is not an image size");
  fails_with(R"({"id": 7, "image_id": 1, "bbox": [1, 1, 2, 2]})",
             "annotations[0].category_id: missing key");
  WriteJson("", R"(, {"id": 1, "file_name": "c.png", "width": 4, "height": 3})");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("images[2]: duplicate image id 1")));
}

TEST_F(CocoFilesTest, MalformedJsonFailsNamingTheFile) {
  const std::string file = (dir_ / "instances.json").string();
  WriteFile(dir_ / "instances.json", R"({"images": [{"id": 1, "file_name": "a.png", "wid)");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr(file), HasSubstr("invalid JSON"))));
  WriteFile(dir_ / "instances.json", R"({"images": {}, "categories": [], "annotations": []})");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(file + ": images: expected a JSON list")));
  WriteFile(dir_ / "instances.json", R"({"images": [], "annotations": []})");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(file + ": missing key \"categories\"")));
  WriteFile(dir_ / "instances.json", "[1, 2]");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(file)));
  fs::remove(dir_ / "instances.json");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kNotFound, HasSubstr(file)));
}

TEST_F(CocoFilesTest, BrokenImagesFailInGetNamingTheFileAndId) {
  WriteJson("", R"(, {"id": 3, "file_name": "missing.jpg", "width": 40, "height": 30},
                   {"id": 4, "file_name": "garbage.jpg", "width": 40, "height": 30},
                   {"id": 5, "file_name": "a.png", "width": 41, "height": 30})");
  WriteFile(dir_ / "images" / "garbage.jpg", "this is not a JPEG");
  absl::StatusOr<std::shared_ptr<CocoDataset>> dataset = Load();
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Get(2), StatusIs(absl::StatusCode::kNotFound,
                                           AllOf(HasSubstr("coco image id 3"),
                                                 HasSubstr("missing.jpg: image file not found"))));
  EXPECT_THAT((*dataset)->Get(3), StatusIs(absl::StatusCode::kInvalidArgument,
                                           AllOf(HasSubstr("coco image id 4"),
                                                 HasSubstr("garbage.jpg: cannot decode"))));
  EXPECT_THAT((*dataset)->Get(4),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("a.png: image is 40x30 but"), HasSubstr("says 41x30"),
                             HasSubstr("image id 5"))));
}

}  // namespace
}  // namespace stlab::datasets
