// Tests for the `segmentation_folder` dataset on small folders of PNG and JPEG files
// written here, in the layouts of CamVid (train/ + trainannot/, ignore 11) and
// Cityscapes (city sub-folders, file-name suffixes).
#include "plugins/datasets/segmentation_folder.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "plugins/datasets/registration.h"
#include "registry/registries.h"
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kWidth = 6;
constexpr int kHeight = 4;

class SegmentationFolderTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = FreshTestDir(); }

  void WriteImage(const std::string& name, int width = kWidth) {
    fs::create_directories((root_ / "train" / name).parent_path());
    ASSERT_TRUE(cv::imwrite((root_ / "train" / name).string(),
                            cv::Mat(kHeight, width, CV_8UC3, cv::Scalar(10, 20, 30))));
  }
  // A label map of `value` everywhere but `corner` at (x, y) = (kWidth - 1, 0).
  fs::path WriteLabels(const std::string& name, int value, int corner) {
    cv::Mat labels(kHeight, kWidth, CV_8U, cv::Scalar(value));
    labels.at<uint8_t>(0, kWidth - 1) = static_cast<uint8_t>(corner);
    const fs::path path = root_ / "trainannot" / name;
    fs::create_directories(path.parent_path());
    EXPECT_TRUE(cv::imwrite(path.string(), labels));
    return path;
  }

  // CamVid-like: 3 classes, void 3.
  SegmentationFolderOptions Options() const {
    SegmentationFolderOptions options;
    options.images = root_ / "train";
    options.labels = root_ / "trainannot";
    options.classes = {"sky", "road", "car"};
    options.ignore_index = 3;
    return options;
  }

  fs::path root_;
};

TEST_F(SegmentationFolderTest, CamVidLayoutMatchesByStemAndIgnoresTheVoidValue) {
  WriteImage("b_0002.png");
  WriteImage("a_0001.jpg");
  WriteLabels("b_0002.png", 1, 3);
  WriteLabels("a_0001.png", 2, 0);
  absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> dataset =
      SegmentationFolderDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  ASSERT_EQ((*dataset)->Size(), 2);
  const DatasetInfo& info = (*dataset)->Info();
  EXPECT_TRUE(info.has_masks);
  EXPECT_FALSE(info.has_boxes);
  EXPECT_THAT(info.mask_class_names, ElementsAre("sky", "road", "car"));
  EXPECT_THAT(info.class_names, ElementsAre("sky", "road", "car"));
  EXPECT_THAT(info.category_ids, ElementsAre(0, 1, 2));

  const Sample first = MustGet(**dataset, 0);  // Keys in byte order: a_0001 first.
  EXPECT_EQ(first.image_id, 0);
  EXPECT_THAT(first.source, HasSubstr("a_0001.jpg"));
  EXPECT_EQ(first.image.sizes(), (std::vector<int64_t>{kHeight, kWidth, 3}));
  EXPECT_EQ(first.mask.scalar_type(), at::kByte);
  EXPECT_EQ(first.mask[0][0].item<uint8_t>(), 2);
  EXPECT_EQ(first.mask[0][kWidth - 1].item<uint8_t>(), 0);
  const Sample second = MustGet(**dataset, 1);
  EXPECT_EQ(second.image[0][0][0].item<uint8_t>(), 30);  // RGB from OpenCV's BGR.
  EXPECT_EQ(second.mask[0][kWidth - 1].item<uint8_t>(), kIgnoreLabel);
  EXPECT_EQ(second.mask.sum().item<int64_t>(), (kWidth * kHeight - 1) * 1 + kIgnoreLabel);
  EXPECT_EQ(second.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(second.labels.sizes(), (std::vector<int64_t>{0}));
  EXPECT_EQ(second.ignore_boxes.sizes(), (std::vector<int64_t>{0, 4}));
}

TEST_F(SegmentationFolderTest, CityscapesLayoutUsesSubFoldersAndSuffixes) {
  WriteImage("aachen/aachen_000001_leftImg8bit.png");
  WriteImage("bonn/bonn_000002_leftImg8bit.png");
  WriteLabels("aachen/aachen_000001_gtFine_labelTrainIds.png", 0, 255);
  WriteLabels("aachen/aachen_000001_gtFine_color.png", 7, 7);  // Not a label map: other suffix.
  WriteLabels("bonn/bonn_000002_gtFine_labelTrainIds.png", 1, 1);
  SegmentationFolderOptions options = Options();
  options.ignore_index = 255;
  options.image_suffix = "_leftImg8bit.png";
  options.label_suffix = "_gtFine_labelTrainIds.png";
  absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> dataset =
      SegmentationFolderDataset::Create(options);
  ASSERT_THAT(dataset, IsOk());
  ASSERT_EQ((*dataset)->Size(), 2);
  EXPECT_THAT(MustGet(**dataset, 1).source, HasSubstr("bonn/bonn_000002_leftImg8bit.png"));
  EXPECT_EQ(MustGet(**dataset, 0).mask[0][kWidth - 1].item<uint8_t>(), kIgnoreLabel);
}

TEST_F(SegmentationFolderTest, SplitFileSelectsAndOrdersTheSamples) {
  for (const char* key : {"a", "b", "c"}) {
    WriteImage(std::string(key) + ".png");
    WriteLabels(std::string(key) + ".png", 0, 0);
  }
  WriteImage("unlabeled.png");  // Allowed with a split file.
  SegmentationFolderOptions options = Options();
  options.split_file = WriteFile(root_ / "val.txt", "c\n\na  extra words\n");
  absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> dataset =
      SegmentationFolderDataset::Create(options);
  ASSERT_THAT(dataset, IsOk());
  ASSERT_EQ((*dataset)->Size(), 2);
  EXPECT_THAT(MustGet(**dataset, 0).source, HasSubstr("c.png"));
  EXPECT_THAT(MustGet(**dataset, 1).source, HasSubstr("a.png"));

  options.split_file = WriteFile(root_ / "bad.txt", "a\nunlabeled\n");
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("bad.txt:2: key 'unlabeled' has no label map"),
                             HasSubstr("trainannot/<key>.png (a key there: 'a')"))));
  options.split_file = WriteFile(root_ / "typo.txt", "a.png\n");
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("typo.txt:1: key 'a.png' has no image")));
  options.split_file = root_ / "missing.txt";
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("missing.txt: split file not found")));
}

TEST_F(SegmentationFolderTest, UnmatchedOrMissingFilesFailConstructionNamingThem) {
  SegmentationFolderOptions options = Options();
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("train: image folder not found")));
  WriteImage("a.png");
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("trainannot: label folder not found")));
  const fs::path orphan = WriteLabels("orphan.png", 0, 0);
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr(orphan.string() + ": no image "),
                             HasSubstr("train/<key>.jpg, .jpeg or .png"))));
  WriteImage("orphan.png");
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr((root_ / "train" / "a.png").string() + ": no label map ")));
  WriteLabels("a.png", 0, 0);
  ASSERT_THAT(SegmentationFolderDataset::Create(options), IsOk());
  WriteImage("a.jpg");
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has the same key 'a'")));
  options.classes.clear();
  EXPECT_THAT(SegmentationFolderDataset::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0 classes")));
}

TEST_F(SegmentationFolderTest, BadLabelMapsFailInGetNamingTheFile) {
  WriteImage("a.png");
  WriteImage("b.png");
  WriteImage("c.png", kWidth + 1);
  WriteImage("d.png");
  const fs::path out_of_range = WriteLabels("a.png", 0, 4);
  WriteLabels("c.png", 0, 0);
  const fs::path colour = root_ / "trainannot" / "d.png";
  ASSERT_TRUE(cv::imwrite(colour.string(), cv::Mat(kHeight, kWidth, CV_8UC3, cv::Scalar(1))));
  WriteFile(root_ / "trainannot" / "b.png", "not a png");
  absl::StatusOr<std::shared_ptr<SegmentationFolderDataset>> dataset =
      SegmentationFolderDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Get(0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(out_of_range.string() + ": pixel (5, 0) has value 4"),
                             HasSubstr("class values 0..2 or ignore_index 3"))));
  EXPECT_THAT((*dataset)->Get(1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trainannot/b.png")));
  EXPECT_THAT((*dataset)->Get(2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("c.png: label map is 6x4 but the image ")));
  EXPECT_THAT((*dataset)->Get(3),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(colour.string() + ": expected an 8-bit 1-channel label map")));
  EXPECT_THAT((*dataset)->Get(4), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("4")));
}

TEST_F(SegmentationFolderTest, RegistryBuildsItFromRelativePathsAndAClassFile) {
  WriteImage("a.png");
  WriteLabels("a.png", 1, 3);
  WriteFile(root_ / "classes.txt", "sky\nroad\ncar\n");
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = root_;
  absl::StatusOr<std::shared_ptr<Dataset>> dataset = registries.datasets().Create(
      "segmentation_folder",
      {{"images", std::string("train")},
       {"labels", std::string("trainannot")},
       {"classes_file", std::string("classes.txt")},
       {"ignore_index", int64_t{3}}},
      context);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Info().mask_class_names, ElementsAre("sky", "road", "car"));
  EXPECT_EQ(MustGet(**dataset, 0).mask[0][kWidth - 1].item<uint8_t>(), kIgnoreLabel);
  EXPECT_THAT(registries.datasets().Create(
                  "segmentation_folder",
                  {{"images", std::string("train")}, {"labels", std::string("trainannot")}},
                  context),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no classes")));
}

}  // namespace
}  // namespace stlab::datasets
