// Tests for the COCO bbox evaluator and its file I/O: agreement with
// pycocotools on the shared fixtures, and handling of bad input.
#include "plugins/evaluation/coco/coco_eval.h"

#include <sys/resource.h>
#include <zlib.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/evaluation/coco/coco_json.h"
#include "simdjson.h"
#include "tests/testing/fixtures.h"

namespace stlab::coco {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::ExternalFixture;
using ::stlab::testing::RepositoryFixture;

// Matches an absl::StatusOr with `code` whose message contains `text`.
MATCHER_P2(StatusIs, code, text, "") {
  const absl::Status& status = arg.status();
  *result_listener << "status: " << status;
  return status.code() == code && absl::StrContains(status.message(), text);
}

// The small cases are in the repository, the large one outside it.
fs::path CaseDir(const std::string& name) {
  return name == "large" ? ExternalFixture("coco_eval/large")
                         : RepositoryFixture(absl::StrCat("coco_eval/", name));
}

// `dir/name`, or `dir/name.gz` when only the compressed file exists.
fs::path PlainOrGz(const fs::path& dir, const std::string& name) {
  const fs::path plain = dir / name;
  return fs::exists(plain) ? plain : fs::path(plain.string() + ".gz");
}

std::string ReadGzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  EXPECT_NE(file, nullptr) << path;
  std::string text;
  char chunk[1 << 16];
  int n;
  while (file != nullptr && (n = gzread(file, chunk, sizeof(chunk))) > 0) text.append(chunk, n);
  if (file != nullptr) gzclose(file);
  return text;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void WriteGzip(const fs::path& path, const std::string& text) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(file);
}

Stats ToStats(simdjson::dom::array values) {
  Stats stats{};
  size_t i = 0;
  for (const double v : values) stats.at(i++) = v;
  EXPECT_EQ(i, stats.size());
  return stats;
}

// Row-major flattening of nested JSON lists of numbers.
void Flatten(simdjson::dom::element element, std::vector<double>& out) {
  if (element.is_array()) {
    for (const simdjson::dom::element child : element.get_array()) Flatten(child, out);
  } else {
    out.push_back(element.get_double());
  }
}

// What pycocotools produced for one fixture case (expected.json).
struct Expected {
  Stats stats;
  std::map<int64_t, Stats> per_category;
  std::string summary_text;
};

Expected LoadExpected(const fs::path& path) {
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.load(path.string());
  Expected expected;
  expected.stats = ToStats(root["stats"].get_array());
  for (const auto field : root["per_category_stats"].get_object()) {
    expected.per_category[std::stoll(std::string(field.key))] = ToStats(field.value.get_array());
  }
  expected.summary_text = std::string(root["summary_text"].get_string().value());
  return expected;
}

class FixtureTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = CaseDir(GetParam());
    STLAB_NEED_EXTERNAL_FIXTURE(dir_);
    absl::StatusOr<GroundTruth> gt = LoadGroundTruth(PlainOrGz(dir_, "gt.json"));
    ASSERT_TRUE(gt.ok()) << gt.status();
    gt_ = *std::move(gt);
    absl::StatusOr<std::vector<Detection>> dets = LoadDetections(PlainOrGz(dir_, "dets.json"), gt_);
    ASSERT_TRUE(dets.ok()) << dets.status();
    dets_ = *std::move(dets);
    expected_ = LoadExpected(dir_ / "expected.json");
  }

  fs::path dir_;
  GroundTruth gt_;
  std::vector<Detection> dets_;
  Expected expected_;
};

TEST_P(FixtureTest, StatsEqualPycocotoolsBitForBit) {
  absl::StatusOr<EvalResult> result = Evaluate(gt_, dets_);
  ASSERT_TRUE(result.ok()) << result.status();
  for (int i = 0; i < kNumStats; ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(result->stats[i]),
              std::bit_cast<uint64_t>(expected_.stats[i]))
        << kStatSpecs[i].name << ": " << result->stats[i] << " vs " << expected_.stats[i];
  }
}

// NOTE: the fixtures allow 1e-12 here (faster_coco_eval is off by ~1e-16); this
// evaluator sums as numpy does, so it matches pycocotools exactly.
TEST_P(FixtureTest, PerCategoryStatsEqualPycocotoolsBitForBit) {
  absl::StatusOr<EvalResult> result = Evaluate(gt_, dets_);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->category_ids.size(), expected_.per_category.size());
  for (size_t k = 0; k < result->category_ids.size(); ++k) {
    const int64_t id = result->category_ids[k];
    ASSERT_TRUE(expected_.per_category.contains(id)) << id;
    for (int i = 0; i < kNumStats; ++i) {
      EXPECT_EQ(result->per_category_stats[k][i], expected_.per_category[id][i])
          << "category " << id << " " << kStatSpecs[i].name;
    }
  }
}

TEST_P(FixtureTest, SummaryTextEqualsPycocotools) {
  absl::StatusOr<EvalResult> result = Evaluate(gt_, dets_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(FormatSummary(result->stats), expected_.summary_text + "\n");
}

TEST_P(FixtureTest, ThreadCountDoesNotChangeResults) {
  absl::StatusOr<EvalResult> one = Evaluate(gt_, dets_, {.keep_arrays = true, .num_threads = 1});
  absl::StatusOr<EvalResult> three = Evaluate(gt_, dets_, {.keep_arrays = true, .num_threads = 3});
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(one->stats, three->stats);
  EXPECT_EQ(one->per_category_stats, three->per_category_stats);
  EXPECT_EQ(one->precision, three->precision);
  EXPECT_EQ(one->recall, three->recall);
}

INSTANTIATE_TEST_SUITE_P(Cases, FixtureTest, ::testing::Values("tiny", "edge", "medium", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(CocoEvalArraysTest, TinyPrecisionAndRecallEqualPycocotools) {
  const fs::path dir = CaseDir("tiny");
  absl::StatusOr<GroundTruth> gt = LoadGroundTruth(dir / "gt.json");
  ASSERT_TRUE(gt.ok()) << gt.status();
  absl::StatusOr<std::vector<Detection>> dets = LoadDetections(dir / "dets.json", *gt);
  ASSERT_TRUE(dets.ok()) << dets.status();
  absl::StatusOr<EvalResult> result = Evaluate(*gt, *dets, {.keep_arrays = true, .num_threads = 1});
  ASSERT_TRUE(result.ok()) << result.status();

  simdjson::dom::parser parser;
  const simdjson::dom::element arrays =
      parser.parse(simdjson::padded_string(ReadGzip(dir / "eval_arrays.json.gz")));
  std::vector<double> precision;
  std::vector<double> recall;
  Flatten(arrays["precision"], precision);
  Flatten(arrays["recall"], recall);
  EXPECT_EQ(result->precision, precision);
  EXPECT_EQ(result->recall, recall);
}

// Unit tests on small hand-written inputs.

GroundTruth MakeGroundTruth(const std::vector<int64_t>& image_ids,
                            const std::vector<int64_t>& category_ids) {
  GroundTruth gt;
  for (const int64_t id : image_ids) gt.images.push_back(Image{id, 0, 0, ""});
  for (const int64_t id : category_ids) gt.categories.push_back(Category{id, ""});
  return gt;
}

// A non-crowd box on image 1, category 1, with area width * height.
Annotation MakeAnnotation(int64_t image_id, const Box& box) {
  return Annotation{1, image_id, 1, box, box.width * box.height, false, false};
}

class CocoFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("coco_eval_test_", ::testing::UnitTest::GetInstance()->random_seed(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A ground truth with images 1 and 2, category 7, one box on image 1;
  // `annotation` replaces that box's JSON.
  static std::string GtJson(
      const std::string& annotation =
          R"({"id": 1, "image_id": 1, "category_id": 7, "bbox": [10, 10, 20, 20],)"
          R"( "area": 400, "iscrowd": 0})") {
    return absl::StrCat(R"({"images": [{"id": 1}, {"id": 2}],)",
                        R"( "categories": [{"id": 7, "name": "cat"}],)", R"( "annotations": [)",
                        annotation, "]}");
  }

  fs::path dir_;
};

TEST_F(CocoFilesTest, MalformedJsonNamesTheFile) {
  WriteText(dir_ / "gt.json", R"({"images": [{"id": 1}, )");
  EXPECT_THAT(LoadGroundTruth(dir_ / "gt.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       absl::StrCat((dir_ / "gt.json").string(), ": invalid JSON")));
}

TEST_F(CocoFilesTest, MissingFileIsNotFound) {
  EXPECT_THAT(LoadGroundTruth(dir_ / "absent.json"),
              StatusIs(absl::StatusCode::kNotFound, "absent.json"));
}

TEST_F(CocoFilesTest, MissingKeyNamesTheEntry) {
  WriteText(dir_ / "gt.json",
            GtJson(R"({"id": 1, "image_id": 1, "category_id": 7, "bbox": [0, 0, 1, 1],)"
                   R"( "iscrowd": 0})"));
  EXPECT_THAT(LoadGroundTruth(dir_ / "gt.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "annotations[0].area: missing key"));
}

TEST_F(CocoFilesTest, WrongTypeNamesTheKey) {
  WriteText(dir_ / "gt.json",
            GtJson(R"({"id": 1, "image_id": "1", "category_id": 7, "bbox": [0, 0, 1, 1],)"
                   R"( "area": 1, "iscrowd": 0})"));
  EXPECT_THAT(
      LoadGroundTruth(dir_ / "gt.json"),
      StatusIs(absl::StatusCode::kInvalidArgument, "annotations[0].image_id: expected an integer"));
}

TEST_F(CocoFilesTest, NegativeWidthIsRejected) {
  WriteText(dir_ / "gt.json",
            GtJson(R"({"id": 1, "image_id": 1, "category_id": 7, "bbox": [0, 0, -1, 1],)"
                   R"( "area": 1, "iscrowd": 0})"));
  EXPECT_THAT(LoadGroundTruth(dir_ / "gt.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "annotations[0].bbox: negative width or height"));
}

TEST_F(CocoFilesTest, BboxNeedsFourNumbers) {
  WriteText(dir_ / "dets.json", R"([{"image_id": 1, "category_id": 7, "bbox": [0, 0, 1],)"
                                R"( "score": 0.5}])");
  EXPECT_THAT(LoadDetections(dir_ / "dets.json", MakeGroundTruth({1}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, "[0].bbox: expected 4 numbers"));
}

TEST_F(CocoFilesTest, DetectionOnUnknownImageIsRejected) {
  WriteText(dir_ / "gt.json", GtJson());
  WriteText(dir_ / "dets.json",
            R"([{"image_id": 1, "category_id": 7, "bbox": [10, 10, 20, 20], "score": 0.9},)"
            R"( {"image_id": 3, "category_id": 7, "bbox": [10, 10, 20, 20], "score": 0.8}])");
  absl::StatusOr<GroundTruth> gt = LoadGroundTruth(dir_ / "gt.json");
  ASSERT_TRUE(gt.ok()) << gt.status();
  EXPECT_THAT(LoadDetections(dir_ / "dets.json", *gt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "dets.json: [1].image_id: image id 3 is not in the ground truth"));
}

TEST_F(CocoFilesTest, ContentAfterTheListIsRejected) {
  WriteText(dir_ / "dets.json", R"([{"image_id": 1, "category_id": 7, "bbox": [0, 0, 1, 1],)"
                                R"( "score": 0.5}]])");
  EXPECT_THAT(LoadDetections(dir_ / "dets.json", MakeGroundTruth({1}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, "content after the top-level value"));
}

TEST_F(CocoFilesTest, GzipIsDetectedByContentNotName) {
  WriteText(dir_ / "plain.json.gz", GtJson());
  WriteGzip(dir_ / "packed.json", GtJson());
  absl::StatusOr<GroundTruth> plain = LoadGroundTruth(dir_ / "plain.json.gz");
  absl::StatusOr<GroundTruth> packed = LoadGroundTruth(dir_ / "packed.json");
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_TRUE(packed.ok()) << packed.status();
  ASSERT_EQ(packed->annotations.size(), 1u);
  EXPECT_EQ(packed->images.size(), plain->images.size());
  EXPECT_EQ(packed->annotations[0].area, 400);
  EXPECT_EQ(packed->categories[0].name, "cat");
}

TEST_F(CocoFilesTest, TruncatedGzipIsRejected) {
  WriteGzip(dir_ / "gt.json.gz", GtJson());
  std::ifstream in(dir_ / "gt.json.gz", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteText(dir_ / "cut.json.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_THAT(LoadGroundTruth(dir_ / "cut.json.gz"),
              StatusIs(absl::StatusCode::kInvalidArgument, "bad gzip data"));
}

// Peak resident memory of this process so far, in bytes.
int64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t{usage.ru_maxrss} * 1024;
}

// Found by tests/fuzz/coco_json_fuzzer: the gzip trailer's size field was trusted as
// the size to allocate, so a 1 KB damaged file took 4 GB.
TEST_F(CocoFilesTest, DamagedGzipSizeFieldDoesNotAllocateItsClaim) {
  WriteGzip(dir_ / "gt.json.gz", GtJson());
  std::ifstream in(dir_ / "gt.json.gz", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.replace(bytes.size() - 4, 4, "\xff\xff\xff\xff");  // ISIZE: 4 GiB - 1.
  WriteText(dir_ / "claims_4gb.json.gz", bytes);
  const int64_t peak_before = PeakRssBytes();
  EXPECT_THAT(LoadGroundTruth(dir_ / "claims_4gb.json.gz"),
              StatusIs(absl::StatusCode::kInvalidArgument, "bad gzip data"));
  EXPECT_LT(PeakRssBytes() - peak_before, int64_t{256} << 20);
}

TEST_F(CocoFilesTest, WrittenDetectionsReadBackExactly) {
  const GroundTruth gt = MakeGroundTruth({1, 2}, {});
  const std::vector<Detection> dets = {{1, 7, {0.1, 2.5, 1e-3, 123456.789}, 1.0 / 3},
                                       {2, -4, {0, 0, 0, 0}, 0}};
  ASSERT_TRUE(WriteDetections(dir_ / "dets.json", dets).ok());
  absl::StatusOr<std::vector<Detection>> back = LoadDetections(dir_ / "dets.json", gt);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), dets.size());
  for (size_t i = 0; i < dets.size(); ++i) {
    EXPECT_EQ((*back)[i].image_id, dets[i].image_id);
    EXPECT_EQ((*back)[i].category_id, dets[i].category_id);
    EXPECT_EQ((*back)[i].bbox.x, dets[i].bbox.x);
    EXPECT_EQ((*back)[i].bbox.y, dets[i].bbox.y);
    EXPECT_EQ((*back)[i].bbox.width, dets[i].bbox.width);
    EXPECT_EQ((*back)[i].bbox.height, dets[i].bbox.height);
    EXPECT_EQ((*back)[i].score, dets[i].score);
  }
  // The temporary file was renamed, not left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(CocoFilesTest, StatsJsonHasStandardNamesInOrder) {
  Stats stats;
  for (int i = 0; i < kNumStats; ++i) stats[i] = i == 3 ? -1 : 0.5 + i / 100.0;
  ASSERT_TRUE(WriteStats(dir_ / "stats.json", stats).ok());
  simdjson::dom::parser parser;
  const simdjson::dom::object object = parser.load((dir_ / "stats.json").string()).get_object();
  std::vector<std::string> names;
  for (const auto field : object) {
    names.emplace_back(field.key);
    EXPECT_EQ(field.value.get_double().value(), stats[names.size() - 1]) << field.key;
  }
  EXPECT_THAT(names, ::testing::ElementsAre("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10",
                                          "AR100", "ARs", "ARm", "ARl"));
}

TEST(CocoEvaluatorTest, DuplicateImageIdIsRejected) {
  EXPECT_THAT(CocoEvaluator::Create(MakeGroundTruth({5, 5}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, "duplicate image id 5"));
}

TEST(CocoEvaluatorTest, AnnotationOnUnknownImageIsRejected) {
  GroundTruth gt = MakeGroundTruth({1}, {1});
  gt.annotations.push_back(MakeAnnotation(2, Box{0, 0, 10, 10}));
  EXPECT_THAT(CocoEvaluator::Create(gt),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown image id 2"));
}

TEST(CocoEvaluatorTest, DetectionOnUnknownImageIsRejected) {
  const std::vector<Detection> dets = {{9, 1, {0, 0, 10, 10}, 1.0}};
  EXPECT_THAT(Evaluate(MakeGroundTruth({1}, {1}), dets),
              StatusIs(absl::StatusCode::kInvalidArgument, "detection 0: image id 9"));
}

TEST(CocoEvaluatorTest, NoDetectionsGiveZeroAndNoGroundTruthGivesMinusOne) {
  GroundTruth gt = MakeGroundTruth({1}, {1, 2});
  gt.annotations.push_back(MakeAnnotation(1, Box{0, 0, 50, 50}));
  absl::StatusOr<EvalResult> result = Evaluate(gt, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats[0], 0.0);   // AP: category 1 counts, category 2 has no GT.
  EXPECT_EQ(result->stats[3], -1.0);  // APs: no small GT at all.
  EXPECT_EQ(result->per_category_stats[1][0], -1.0);
}

TEST(CocoEvaluatorTest, AnnotationIdZeroNeverMatchesLikePycocotools) {
  GroundTruth gt = MakeGroundTruth({1}, {1});
  gt.annotations.push_back(MakeAnnotation(1, Box{0, 0, 50, 50}));
  gt.annotations[0].id = 0;
  const std::vector<Detection> dets = {{1, 1, {0, 0, 50, 50}, 0.5}};
  absl::StatusOr<EvalResult> result = Evaluate(gt, dets);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats[0], 0.0);
  EXPECT_EQ(result->stats[8], 0.0);
}

TEST(CocoEvaluatorTest, PerfectDetectionGivesOne) {
  GroundTruth gt = MakeGroundTruth({1}, {1});
  gt.annotations.push_back(MakeAnnotation(1, Box{0, 0, 50, 50}));
  const std::vector<Detection> dets = {{1, 1, {0, 0, 50, 50}, 0.5}};
  absl::StatusOr<EvalResult> result = Evaluate(gt, dets);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->stats[0], 1.0);  // pycocotools' precision is 1 / (1 + eps).
  EXPECT_EQ(result->stats[6], 1.0);
}

}  // namespace
}  // namespace stlab::coco
