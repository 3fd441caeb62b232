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

}  // namespace
}  // namespace stlab::datasets
