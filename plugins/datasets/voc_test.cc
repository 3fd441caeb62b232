// Tests for the PASCAL VOC datasets on small VOC-layout folders written here. The
// segmentation masks are palette PNGs written byte by byte (zlib for the pixel
// data), as the VOC devkit ships them, so the palette path of ReadVocMask is what
// is tested; 1-channel index PNGs are tested separately.
#include "plugins/datasets/voc.h"

#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
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
using ::testing::HasSubstr;

constexpr int kWidth = 50;
constexpr int kHeight = 40;

// The devkit's labelcolormap.m, transcribed independently of voc.cc.
std::array<std::array<uint8_t, 3>, 256> DevkitColormap() {
  std::array<std::array<uint8_t, 3>, 256> cmap{};
  for (int i = 0; i < 256; ++i) {
    int c = i;
    for (int j = 0; j < 8; ++j) {
      for (int ch = 0; ch < 3; ++ch) cmap[i][ch] |= ((c >> ch) & 1) << (7 - j);
      c >>= 3;
    }
  }
  return cmap;
}

void AppendBigEndian(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

void AppendChunk(std::string& png, const char* type, const std::string& data) {
  AppendBigEndian(png, static_cast<uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  png += body;
  AppendBigEndian(png, static_cast<uint32_t>(
                           crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}

// An 8-bit palette PNG (colour type 3) of `indices` (row-major, width x height)
// with the 256-colour VOC palette, like the files in SegmentationClass/.
std::string PalettePng(const std::vector<uint8_t>& indices, int width, int height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  AppendBigEndian(header, width);
  AppendBigEndian(header, height);
  header += std::string{8, 3, 0, 0, 0};  // Bit depth, colour type, compression, filter, interlace.
  AppendChunk(png, "IHDR", header);
  std::string palette;
  for (const auto& rgb : DevkitColormap()) palette.append(rgb.begin(), rgb.end());
  AppendChunk(png, "PLTE", palette);
  std::string raw;
  for (int y = 0; y < height; ++y) {
    raw += '\0';  // Filter type "none".
    raw.append(indices.begin() + y * width, indices.begin() + (y + 1) * width);
  }
  uLongf size = compressBound(raw.size());
  std::string compressed(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(compressed.data()), &size,
                     reinterpret_cast<const Bytef*>(raw.data()), raw.size()),
            Z_OK);
  compressed.resize(size);
  AppendChunk(png, "IDAT", compressed);
  AppendChunk(png, "IEND", "");
  return png;
}

std::string Object(const std::string& name, int xmin, int ymin, int xmax, int ymax,
                   bool difficult = false) {
  return absl::StrCat("<object><name>", name, "</name><pose>Left</pose><truncated>0</truncated>",
                      "<difficult>", difficult ? 1 : 0, "</difficult><bndbox><xmin>", xmin,
                      "</xmin><ymin>", ymin, "</ymin><xmax>", xmax, "</xmax><ymax>", ymax,
                      "</ymax></bndbox></object>");
}

std::string AnnotationXml(const std::string& objects, int width = kWidth, int height = kHeight) {
  return absl::StrCat("<annotation><folder>VOC2012</folder><filename>x.jpg</filename><size><width>",
                      width, "</width><height>", height,
                      "</height><depth>3</depth></size><segmented>0</segmented>", objects,
                      "</annotation>");
}

class VocTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = FreshTestDir() / "VOCdevkit" / "VOC2012"; }

  void WriteImage(const std::string& id, int width = kWidth, int height = kHeight,
                  const std::string& extension = ".jpg") {
    fs::create_directories(root_ / "JPEGImages");
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(40, 80, 120));
    ASSERT_TRUE(cv::imwrite((root_ / "JPEGImages" / (id + extension)).string(), image));
  }
  void WriteSplit(const std::string& set, const std::string& split, const std::string& ids) {
    WriteFile(root_ / "ImageSets" / set / (split + ".txt"), ids);
  }
  void WriteXml(const std::string& id, const std::string& xml) {
    WriteFile(root_ / "Annotations" / (id + ".xml"), xml);
  }
  fs::path WriteMask(const std::string& id, const std::string& bytes) {
    return WriteFile(root_ / "SegmentationClass" / (id + ".png"), bytes);
  }

  VocOptions Options(bool keep_difficult = false) const {
    VocOptions options;
    options.root = root_;
    options.split = "train";
    options.keep_difficult = keep_difficult;
    return options;
  }

  fs::path root_;
};

TEST(VocPaletteTest, TranscribedColormapHasTheKnownColours) {
  const auto cmap = DevkitColormap();
  EXPECT_EQ(cmap[0], (std::array<uint8_t, 3>{0, 0, 0}));
  EXPECT_EQ(cmap[1], (std::array<uint8_t, 3>{128, 0, 0}));        // aeroplane
  EXPECT_EQ(cmap[15], (std::array<uint8_t, 3>{192, 128, 128}));   // person
  EXPECT_EQ(cmap[20], (std::array<uint8_t, 3>{0, 64, 128}));      // tvmonitor
  EXPECT_EQ(cmap[255], (std::array<uint8_t, 3>{224, 224, 192}));  // border
}

TEST_F(VocTest, DetectionBoxesAreZeroBasedAndDifficultObjectsAreIgnored) {
  WriteSplit("Main", "train", "2008_000002\n2008_000001\n\n");
  WriteImage("2008_000001");
  WriteImage("2008_000002");
  WriteXml("2008_000001",
           AnnotationXml(Object("dog", 10, 20, 30, 40) + Object(" person ", 1, 1, 51, 5, true)));
  WriteXml("2008_000002", AnnotationXml(""));
  absl::StatusOr<std::shared_ptr<VocDetectionDataset>> dataset =
      VocDetectionDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Size(), 2);
  EXPECT_EQ((*dataset)->Info().class_names.size(), 20u);
  EXPECT_EQ((*dataset)->Info().class_names[11], "dog");
  EXPECT_EQ((*dataset)->Info().category_ids[11], 12);
  EXPECT_TRUE((*dataset)->Info().has_boxes);
  EXPECT_FALSE((*dataset)->Info().has_masks);
  EXPECT_TRUE((*dataset)->Info().mask_class_names.empty());
  const Sample empty = MustGet(**dataset, 0);  // Split-file order.
  EXPECT_EQ(empty.image_id, 0);
  EXPECT_THAT(empty.source, HasSubstr("2008_000002.jpg"));
  EXPECT_EQ(empty.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.labels.sizes(), (std::vector<int64_t>{0}));
  const Sample s = MustGet(**dataset, 1);
  EXPECT_EQ(s.image_id, 1);
  EXPECT_EQ(s.image.sizes(), (std::vector<int64_t>{kHeight, kWidth, 3}));
  EXPECT_TRUE(at::equal(s.boxes, at::tensor({9.0f, 19.0f, 30.0f, 40.0f}).reshape({1, 4})));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({11}, at::kLong)));
  // xmax 51 on a 50-pixel-wide image: within 1 px, clipped.
  EXPECT_TRUE(at::equal(s.ignore_boxes, at::tensor({0.0f, 0.0f, 50.0f, 5.0f}).reshape({1, 4})));

  absl::StatusOr<std::shared_ptr<VocDetectionDataset>> keep =
      VocDetectionDataset::Create(Options(true));
  ASSERT_THAT(keep, IsOk());
  const Sample kept = MustGet(**keep, 1);
  EXPECT_TRUE(at::equal(kept.labels, at::tensor({11, 14}, at::kLong)));
  EXPECT_EQ(kept.ignore_boxes.sizes(), (std::vector<int64_t>{0, 4}));
}

TEST_F(VocTest, BadAnnotationsFailConstructionNamingTheFile) {
  WriteSplit("Main", "train", "a\n");
  const std::string file = (root_ / "Annotations" / "a.xml").string();
  const auto fails_with = [&](const std::string& xml, const std::string& what) {
    WriteXml("a", xml);
    EXPECT_THAT(
        VocDetectionDataset::Create(Options()),
        StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr(file), HasSubstr(what))))
        << xml;
  };
  fails_with(AnnotationXml(Object("dragon", 1, 1, 5, 5)), "object 0 (dragon): unknown class");
  fails_with(AnnotationXml(Object("dragon", 1, 1, 5, 5)), "set classes or classes_file");
  fails_with(AnnotationXml(Object("dog", 1, 1, 5, 5) + Object("cat", 9, 1, 5, 5)),
             "object 1 (cat): box (9, 1, 5, 5) has xmax < xmin");
  fails_with(AnnotationXml(Object("dog", 60, 1, 70, 5)), "lies outside the 50x40 image");
  fails_with(AnnotationXml(Object("dog", 1, 1, 5, 45)), "extends more than 1 px outside");
  fails_with(AnnotationXml("<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
                           "<xmax>x</xmax><ymax>5</ymax></bndbox></object>"),
             "<xmax> 'x' is not a number");
  fails_with(AnnotationXml("<object><name>dog</name></object>"), "missing <bndbox>");
  fails_with("<annotation><object>", "invalid XML");
  fails_with("<annotation></annotation>", "<size>: missing <width>");
  // Found by tests/fuzz/voc_xml_fuzzer: converting this width to an integer was
  // undefined behaviour (UBSan: float-cast-overflow), and the dataset was built.
  fails_with("<annotation><size><width>1e300</width><height>40</height></size></annotation>",
             "1e+300x40 is not an image size");
  fs::remove(root_ / "Annotations" / "a.xml");
  EXPECT_THAT(
      VocDetectionDataset::Create(Options()),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr(file + ": annotation file not found")));
}

TEST_F(VocTest, MissingSplitOrRootIsAnErrorListingTheSplits) {
  WriteSplit("Main", "val", "a\n");
  WriteSplit("Main", "trainval", "a\n");
  WriteSplit("Main", "dog_train", "a 1\n");
  EXPECT_THAT(
      VocDetectionDataset::Create(Options()),
      StatusIs(absl::StatusCode::kNotFound, AllOf(HasSubstr("Main/train.txt: split file not found"),
                                                  HasSubstr("splits there: trainval, val)"))));
  VocOptions missing = Options();
  missing.root = root_ / "nope";
  EXPECT_THAT(VocSegmentationDataset::Create(missing),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope: VOC folder not found")));
}

TEST_F(VocTest, BrokenImagesFailInGetNamingTheFile) {
  WriteSplit("Main", "train", "small\nmissing\n");
  WriteImage("small", 20, 40);
  WriteXml("small", AnnotationXml(""));
  WriteXml("missing", AnnotationXml(""));
  absl::StatusOr<std::shared_ptr<VocDetectionDataset>> dataset =
      VocDetectionDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Get(0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("small.jpg: image is 20x40 but Annotations/small.xml says "
                                       "50x40"))));
  EXPECT_THAT((*dataset)->Get(1),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("VOC image missing"), HasSubstr("missing.jpg"))));
  EXPECT_THAT((*dataset)->Get(2), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("2")));
}

TEST_F(VocTest, SegmentationReadsPaletteIndicesNotColours) {
  WriteSplit("Segmentation", "train", "2007_000032\n");
  WriteImage("2007_000032");
  std::vector<uint8_t> indices(kWidth * kHeight, 0);
  indices[0] = 1;
  indices[1] = 15;
  indices[kWidth + 2] = 20;
  for (int x = 0; x < kWidth; ++x) indices[(kHeight - 1) * kWidth + x] = 255;
  WriteMask("2007_000032", PalettePng(indices, kWidth, kHeight));
  absl::StatusOr<std::shared_ptr<VocSegmentationDataset>> dataset =
      VocSegmentationDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  EXPECT_TRUE((*dataset)->Info().has_masks);
  EXPECT_FALSE((*dataset)->Info().has_boxes);
  const std::vector<std::string>& values = (*dataset)->Info().mask_class_names;
  ASSERT_EQ(values.size(), 21u);
  EXPECT_EQ(values[0], "background");
  EXPECT_EQ(values[15], "person");
  const Sample s = MustGet(**dataset, 0);
  ASSERT_EQ(s.mask.sizes(), (std::vector<int64_t>{kHeight, kWidth}));
  EXPECT_EQ(s.mask.scalar_type(), at::kByte);
  const at::Tensor expected = at::from_blob(indices.data(), {kHeight, kWidth}, at::kByte).clone();
  EXPECT_TRUE(at::equal(s.mask, expected));
  EXPECT_EQ(s.boxes.sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(s.labels.sizes(), (std::vector<int64_t>{0}));
}

LabelValues VocValues() { return *LabelValues::Create(21, 255); }

TEST_F(VocTest, OneChannelIndexPngsAreReadAsIndices) {
  const fs::path dir = FreshTestDir();
  cv::Mat indices(4, 5, CV_8U, cv::Scalar(0));
  indices.at<uint8_t>(1, 2) = 7;
  indices.at<uint8_t>(3, 4) = 255;
  ASSERT_TRUE(cv::imwrite((dir / "m.png").string(), indices));
  absl::StatusOr<at::Tensor> mask = ReadVocMask(dir / "m.png", VocValues());
  ASSERT_THAT(mask, IsOk());
  EXPECT_EQ((*mask)[1][2].item<uint8_t>(), 7);
  EXPECT_EQ((*mask)[3][4].item<uint8_t>(), 255);
  EXPECT_EQ(mask->sum().item<int64_t>(), 7 + 255);
}

TEST_F(VocTest, UnexpectedMaskValuesAreErrorsNamingFileAndValue) {
  const fs::path dir = FreshTestDir();
  std::vector<uint8_t> indices(6, 0);
  indices[4] = 21;
  const fs::path palette = WriteFile(dir / "palette.png", PalettePng(indices, 3, 2));
  EXPECT_THAT(ReadVocMask(palette, VocValues()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("palette.png: pixel (1, 1) has value 21"),
                             HasSubstr("expected class values 0..20 or ignore_index 255"))));
  cv::Mat grey(2, 3, CV_8U, cv::Scalar(3));
  grey.at<uint8_t>(0, 2) = 100;
  ASSERT_TRUE(cv::imwrite((dir / "grey.png").string(), grey));
  EXPECT_THAT(ReadVocMask(dir / "grey.png", VocValues()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("grey.png: pixel (2, 0) has value 100")));
  cv::Mat colour(2, 3, CV_8UC3, cv::Scalar(0, 0, 0));
  colour.at<cv::Vec3b>(1, 0) = cv::Vec3b(3, 2, 1);  // BGR
  ASSERT_TRUE(cv::imwrite((dir / "colour.png").string(), colour));
  EXPECT_THAT(ReadVocMask(dir / "colour.png", VocValues()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("colour.png: pixel (0, 1) has colour RGB(1, 2, 3), which is not "
                                 "in the VOC palette")));
  cv::Mat deep(2, 3, CV_16U, cv::Scalar(1));
  ASSERT_TRUE(cv::imwrite((dir / "deep.png").string(), deep));
  EXPECT_THAT(ReadVocMask(dir / "deep.png", VocValues()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("deep.png: expected an 8-bit")));
}

TEST_F(VocTest, MaskOfAnotherSizeOrMissingFailsInGet) {
  WriteSplit("Segmentation", "train", "a\nb\n");
  WriteImage("a");
  WriteImage("b");
  const fs::path mask = WriteMask("a", PalettePng(std::vector<uint8_t>(12, 0), 4, 3));
  absl::StatusOr<std::shared_ptr<VocSegmentationDataset>> dataset =
      VocSegmentationDataset::Create(Options());
  ASSERT_THAT(dataset, IsOk());
  EXPECT_THAT((*dataset)->Get(0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(mask.string() + ": mask is 4x3 but the image is 50x40")));
  EXPECT_THAT((*dataset)->Get(1),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("VOC mask b"), HasSubstr("SegmentationClass/b.png"))));
}

TEST_F(VocTest, DetectionTakesItsOwnClassesFromAFile) {
  WriteSplit("Main", "train", "raccoon-1\n");
  WriteImage("raccoon-1", kWidth, kHeight, ".png");
  WriteXml("raccoon-1", AnnotationXml(Object("raccoon", 2, 3, 20, 30)));
  const fs::path classes = WriteFile(root_ / "classes.txt", "possum\nraccoon\n");
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = root_;
  absl::StatusOr<std::shared_ptr<Dataset>> dataset = registries.datasets().Create(
      "voc_detection",
      {{"root", std::string(".")},
       {"classes_file", std::string("classes.txt")},
       {"image_extension", std::string(".png")}},
      context);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Info().class_names, (std::vector<std::string>{"possum", "raccoon"}));
  EXPECT_EQ((*dataset)->Info().category_ids, (std::vector<int64_t>{1, 2}));
  const Sample s = MustGet(**dataset, 0);
  EXPECT_THAT(s.source, HasSubstr("raccoon-1.png"));
  EXPECT_TRUE(at::equal(s.labels, at::tensor({1}, at::kLong)));

  WriteXml("raccoon-1", AnnotationXml(Object("dog", 2, 3, 20, 30)));
  EXPECT_THAT(registries.datasets().Create(
                  "voc_detection",
                  {{"root", std::string(".")}, {"classes", std::vector<std::string>{"raccoon"}}},
                  context),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Annotations/raccoon-1.xml: object 0 (dog): unknown class "
                                       "'dog'; classes: raccoon"))));
}

TEST_F(VocTest, SegmentationWithOwnClassesWithoutBackgroundMapsIgnoreIndex) {
  WriteSplit("Segmentation", "train", "street\n");
  WriteImage("street", 3, 2, ".png");
  cv::Mat indices(2, 3, CV_8U, cv::Scalar(0));
  indices.at<uint8_t>(0, 1) = 1;
  indices.at<uint8_t>(1, 2) = 2;  // CamVid-style void.
  fs::create_directories(root_ / "SegmentationClass");
  ASSERT_TRUE(cv::imwrite((root_ / "SegmentationClass" / "street.png").string(), indices));
  VocOptions options = Options();
  options.classes = {"sky", "road"};
  options.background = false;
  options.ignore_index = 2;
  options.image_extension = ".png";
  absl::StatusOr<std::shared_ptr<VocSegmentationDataset>> dataset =
      VocSegmentationDataset::Create(options);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Info().mask_class_names, (std::vector<std::string>{"sky", "road"}));
  EXPECT_EQ((*dataset)->Info().category_ids, (std::vector<int64_t>{0, 1}));
  const Sample s = MustGet(**dataset, 0);
  EXPECT_EQ(s.mask[0][1].item<uint8_t>(), 1);
  EXPECT_EQ(s.mask[1][2].item<uint8_t>(), kIgnoreLabel);

  options.background = true;  // Stored 0 is ignored, 1 background, 2 sky, 3 road.
  options.ignore_index = 0;
  dataset = VocSegmentationDataset::Create(options);
  ASSERT_THAT(dataset, IsOk());
  EXPECT_EQ((*dataset)->Info().mask_class_names,
            (std::vector<std::string>{"background", "sky", "road"}));
  EXPECT_EQ((*dataset)->Info().category_ids, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(MustGet(**dataset, 0).mask[0][0].item<uint8_t>(), kIgnoreLabel);
  EXPECT_EQ(MustGet(**dataset, 0).mask[1][2].item<uint8_t>(), 1);
}

TEST_F(VocTest, RegistryBuildsBothWithARelativeRoot) {
  WriteSplit("Main", "val", "a\n");
  WriteSplit("Segmentation", "val", "a\nb\n");
  WriteXml("a", AnnotationXml(Object("cat", 1, 1, 5, 5)));
  Registries registries;
  ASSERT_THAT(RegisterDatasets(registries), IsOk());
  DatasetContext context;
  context.base_dir = root_.parent_path().parent_path();
  absl::StatusOr<std::shared_ptr<Dataset>> detection = registries.datasets().Create(
      "voc_detection", {{"root", std::string("VOCdevkit/VOC2012")}, {"split", std::string("val")}},
      context);
  ASSERT_THAT(detection, IsOk());
  EXPECT_EQ((*detection)->Size(), 1);
  absl::StatusOr<std::shared_ptr<Dataset>> segmentation = registries.datasets().Create(
      "voc_segmentation",
      {{"root", std::string("VOCdevkit/VOC2012")}, {"split", std::string("val")}}, context);
  ASSERT_THAT(segmentation, IsOk());
  EXPECT_EQ((*segmentation)->Size(), 2);
  EXPECT_FALSE(
      registries.datasets()
          .Create("voc_segmentation", {{"root", std::string("x")}, {"keep_difficult", true}})
          .ok());
}

}  // namespace
}  // namespace stlab::datasets
