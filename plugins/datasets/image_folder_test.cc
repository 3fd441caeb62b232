#include "plugins/datasets/image_folder.h"

#include <filesystem>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "plugins/datasets/registration.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void WriteImage(const fs::path& path, int value) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(cv::imwrite(path.string(), cv::Mat(6, 8, CV_8UC3, cv::Scalar::all(value)))) << path;
}

std::vector<std::string> RelativeFiles(const ImageFolderDataset& dataset, const fs::path& root) {
  std::vector<std::string> out;
  for (const fs::path& file : dataset.files())
    out.push_back(file.lexically_relative(root).string());
  return out;
}

class ImageFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshTestDir() / "pool";
    WriteImage(root_ / "b.png", 1);
    WriteImage(root_ / "A.JPG", 2);
    WriteImage(root_ / "sub" / "c.jpeg", 3);
    WriteImage(root_ / "sub" / "deeper" / "a.PNG", 4);
    WriteImage(root_ / "a_b.png", 5);
    WriteFile(root_ / "notes.txt", "not an image");
    WriteFile(root_ / "sub" / "image.bmp", "BM");
  }

  fs::path root_;
};

TEST_F(ImageFolderTest, TakesJpegAndPngInByteOrderOfTheRelativePath) {
  absl::StatusOr<std::shared_ptr<ImageFolderDataset>> dataset =
      ImageFolderDataset::Create({root_, true});
  ASSERT_THAT(dataset, IsOk());
  // Byte order: upper case before lower case, whatever the file system lists first.
  EXPECT_THAT(RelativeFiles(**dataset, root_),
              ElementsAre("A.JPG", "a_b.png", "b.png", "sub/c.jpeg", "sub/deeper/a.PNG"));
  EXPECT_TRUE((*dataset)->Info().class_names.empty());
  EXPECT_FALSE((*dataset)->Info().has_boxes);
  EXPECT_FALSE((*dataset)->Info().has_masks);
  absl::StatusOr<Sample> s = (*dataset)->Get(3);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->image_id, 3);
  EXPECT_EQ(s->source, (root_ / "sub" / "c.jpeg").string());
  EXPECT_EQ(s->image.sizes(), (std::vector<int64_t>{6, 8, 3}));
  EXPECT_EQ(s->boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(s->labels.sizes(), (std::vector<int64_t>{0}));
  EXPECT_EQ(s->ignore_boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_FALSE(s->mask.defined());
  EXPECT_THAT((*dataset)->Get(5), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("5")));
}

TEST_F(ImageFolderTest, NonRecursiveTakesTheTopFolderOnly) {
  absl::StatusOr<std::shared_ptr<ImageFolderDataset>> dataset =
      ImageFolderDataset::Create({root_, false});
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT(RelativeFiles(**dataset, root_), ElementsAre("A.JPG", "a_b.png", "b.png"));
}

TEST_F(ImageFolderTest, MissingEmptyAndBrokenAreErrorsNamingThePath) {
  EXPECT_THAT(ImageFolderDataset::Create({root_ / "nope", true}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope: image folder not found")));
  fs::create_directories(root_ / "empty" / "deep");
  EXPECT_THAT(ImageFolderDataset::Create({root_ / "empty", true}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("empty: no .jpg, .jpeg or .png")));
  WriteFile(root_ / "0_broken.jpg", "garbage");
  absl::StatusOr<std::shared_ptr<ImageFolderDataset>> dataset =
      ImageFolderDataset::Create({root_, false});
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Get(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("0_broken.jpg: cannot decode")));
  fs::remove(root_ / "b.png");
  EXPECT_THAT((*dataset)->Get(3),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("b.png: image file not found")));
}

TEST_F(ImageFolderTest, RegistryResolvesARelativeRoot) {
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = root_.parent_path();
  absl::StatusOr<std::shared_ptr<Dataset>> dataset = registries.datasets().Create(
      "image_folder", {{"root", std::string("pool")}, {"recursive", false}}, context);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Size(), 3);
}

// An ImageNet-style tree: class folders (byte order "Zebra" < "cat" < "cat-2"),
// one with a nested folder, and a non-image file.
class LabeledImageFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshTestDir() / "train";
    WriteImage(root_ / "cat" / "b.png", 1);
    WriteImage(root_ / "cat" / "a.png", 2);
    WriteImage(root_ / "cat-2" / "x.jpg", 3);
    WriteImage(root_ / "Zebra" / "deep" / "z.png", 4);
    WriteImage(root_ / "Zebra" / "y.png", 5);
    WriteFile(root_ / "cat" / "notes.txt", "not an image");
    WriteFile(root_ / "LICENSE", "not an image either");
  }

  static ImageFolderOptions Labeled(const fs::path& root, bool recursive = true) {
    ImageFolderOptions options;
    options.root = root;
    options.recursive = recursive;
    options.labels_from_subfolders = true;
    return options;
  }

  fs::path root_;
};

TEST_F(LabeledImageFolderTest, ClassIsTheFirstLevelFolderInByteOrder) {
  absl::StatusOr<std::shared_ptr<ImageFolderDataset>> dataset =
      ImageFolderDataset::Create(Labeled(root_));
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Info().class_names, ElementsAre("Zebra", "cat", "cat-2"));
  EXPECT_THAT((*dataset)->Info().category_ids, ElementsAre(0, 1, 2));
  EXPECT_FALSE((*dataset)->Info().has_boxes);
  // The same order as unlabeled: byte order of the relative path ('-' < '/').
  EXPECT_THAT(RelativeFiles(**dataset, root_),
              ElementsAre("Zebra/deep/z.png", "Zebra/y.png", "cat-2/x.jpg", "cat/a.png",
                          "cat/b.png"));
  const std::vector<int64_t> expected = {0, 0, 2, 1, 1};
  for (int64_t i = 0; i < (*dataset)->Size(); ++i) {
    absl::StatusOr<Sample> s = (*dataset)->Get(i);
    ASSERT_THAT(s, IsOk());
    ASSERT_EQ(s->labels.sizes(), (std::vector<int64_t>{1}));
    EXPECT_EQ(s->labels.scalar_type(), at::kLong);
    EXPECT_EQ(s->labels[0].item<int64_t>(), expected[static_cast<size_t>(i)]) << s->source;
    EXPECT_TRUE(at::equal(s->boxes, at::tensor({0.0f, 0.0f, 8.0f, 6.0f}).view({1, 4})));
    EXPECT_EQ(s->ignore_boxes.sizes(), (std::vector<int64_t>{0, 4}));
  }
}

TEST_F(LabeledImageFolderTest, NonRecursiveTakesTheClassFoldersOwnImages) {
  absl::StatusOr<std::shared_ptr<ImageFolderDataset>> dataset =
      ImageFolderDataset::Create(Labeled(root_, false));
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT(RelativeFiles(**dataset, root_),
              ElementsAre("Zebra/y.png", "cat-2/x.jpg", "cat/a.png", "cat/b.png"));
}

TEST_F(LabeledImageFolderTest, ImageDirectlyUnderTheRootIsAnErrorNamingIt) {
  WriteImage(root_ / "stray.png", 6);
  EXPECT_THAT(ImageFolderDataset::Create(Labeled(root_)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("stray.png"), HasSubstr("directly under the root"))));
}

TEST_F(LabeledImageFolderTest, ClassFolderWithoutImagesIsAnErrorNamingIt) {
  fs::create_directories(root_ / "dog" / "empty");
  WriteFile(root_ / "dog" / "readme.txt", "no images");
  EXPECT_THAT(ImageFolderDataset::Create(Labeled(root_)),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("dog: class folder without .jpg, .jpeg or .png images")));
  // Not recursive, a class whose images are all nested is empty too.
  fs::remove_all(root_ / "dog");
  EXPECT_THAT(ImageFolderDataset::Create(Labeled(root_, false)), IsOk());
  fs::remove(root_ / "Zebra" / "y.png");
  EXPECT_THAT(ImageFolderDataset::Create(Labeled(root_, false)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Zebra: class folder without")));
}

TEST_F(LabeledImageFolderTest, RootWithoutClassFoldersIsAnError) {
  const fs::path empty = FreshTestDir() / "no_classes";
  fs::create_directories(empty);
  WriteFile(empty / "LICENSE", "text");
  EXPECT_THAT(ImageFolderDataset::Create(Labeled(empty)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no class folders")));
}

TEST_F(LabeledImageFolderTest, RegistryTakesTheLabelsParameter) {
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = root_.parent_path();
  absl::StatusOr<std::shared_ptr<Dataset>> labeled = registries.datasets().Create(
      "image_folder", {{"root", std::string("train")}, {"labels", std::string("subfolder")}},
      context);
  ASSERT_THAT(labeled, IsOk());
  EXPECT_EQ((*labeled)->Info().class_names.size(), 3u);
  absl::StatusOr<std::shared_ptr<Dataset>> unlabeled =
      registries.datasets().Create("image_folder", {{"root", std::string("train")}}, context);
  ASSERT_THAT(unlabeled, IsOk());
  EXPECT_TRUE((*unlabeled)->Info().class_names.empty());
  EXPECT_EQ((*unlabeled)->Size(), 5);
  EXPECT_THAT(registries.datasets().Create(
                  "image_folder", {{"root", std::string("train")}, {"labels", std::string("dirs")}},
                  context),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels")));
}

}  // namespace
}  // namespace stlab::datasets
