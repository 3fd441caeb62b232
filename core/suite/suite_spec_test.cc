#include "core/suite/suite_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kSuite[] = R"(
[suite]
name = "grid"
experiment = "experiment.toml"
set = ["train.iterations=10"]
workers = 2

[axes.init]
levels = [
  { name = "random" },
  { name = "supervised", pretrain = "pretrain.toml", pretrain_set = ["train.iterations=5"] },
]

[axes.labeled_fraction]
key = "data.train_fraction"
values = [0.2, 0.5]

[axes.self_training]
values = [false, true]

[axes.augment]
levels = [{ name = "S1", layers = ["aug/s1.toml"], set = ["augment.pipeline[1].size=128"] }]

[[exclude]]
init = "supervised"
labeled_fraction = 0.5

[[override]]
where = { init = "supervised", self_training = true }
set = ["train.lr=0.5"]

[report]
rows = ["labeled_fraction"]
)";

std::filesystem::path WriteSuiteFiles(const std::filesystem::path& dir, const std::string& suite) {
  WriteFile(dir / "experiment.toml", "[run]\nname = \"x\"\n");
  WriteFile(dir / "pretrain.toml", "[run]\nname = \"p\"\n");
  WriteFile(dir / "aug/s1.toml", "[augment]\n");
  return WriteFile(dir / "suite.toml", suite);
}

TEST(SuiteSpecTest, ReadsAxesLevelsAndReportLayout) {
  const auto dir = FreshTestDir();
  absl::StatusOr<SuiteSpec> suite = LoadSuiteSpec(WriteSuiteFiles(dir, kSuite));
  ASSERT_THAT(suite, IsOk());
  EXPECT_EQ(suite->name, "grid");
  EXPECT_EQ(suite->workers, 2);
  EXPECT_EQ(suite->experiment, (dir / "experiment.toml").lexically_normal());
  ASSERT_EQ(suite->axes.size(), 4u);  // Sorted by name.
  EXPECT_EQ(suite->axes[0].name, "augment");
  EXPECT_EQ(suite->axes[0].levels[0].layers[0], (dir / "aug/s1.toml").lexically_normal());
  EXPECT_EQ(suite->axes[1].name, "init");
  EXPECT_EQ(suite->axes[1].levels[1].pretrain, (dir / "pretrain.toml").lexically_normal());
  EXPECT_EQ(suite->axes[2].name, "labeled_fraction");
  EXPECT_EQ(suite->axes[2].levels[0].label, "0.2");
  EXPECT_THAT(suite->axes[2].levels[1].overrides, ElementsAre("data.train_fraction=0.5"));
  EXPECT_EQ(suite->axes[3].levels[1].self_training, true);
  EXPECT_EQ(suite->report.columns, "init");     // The default axis.
  EXPECT_EQ(suite->report.baseline, "random");  // Its first level.
  EXPECT_THAT(suite->report.rows, ElementsAre("labeled_fraction"));
}

TEST(SuiteSpecTest, ExpandsEveryCombinationMinusExclusionsWithCellOverrides) {
  const auto dir = FreshTestDir();
  absl::StatusOr<SuiteSpec> suite = LoadSuiteSpec(WriteSuiteFiles(dir, kSuite));
  ASSERT_THAT(suite, IsOk());
  const std::vector<SuiteCell> cells = ExpandSuite(*suite);
  ASSERT_EQ(cells.size(), 6u);  // 2 x 2 x 2, minus supervised at 0.5 (x2).
  EXPECT_EQ(cells[0].Name(), "augment=S1 init=random labeled_fraction=0.2 self_training=false");
  EXPECT_EQ(cells[5].Name(), "augment=S1 init=supervised labeled_fraction=0.2 self_training=true");
  EXPECT_FALSE(cells[0].self_training);
  EXPECT_TRUE(cells[1].self_training);
  EXPECT_TRUE(cells[0].pretrain.empty());
  EXPECT_EQ(cells[4].pretrain, (dir / "pretrain.toml").lexically_normal());
  EXPECT_THAT(cells[4].pretrain_overrides, ElementsAre("train.iterations=5"));
  EXPECT_THAT(cells[0].layers, ElementsAre((dir / "experiment.toml").lexically_normal(),
                                           (dir / "aug/s1.toml").lexically_normal()));
  EXPECT_THAT(cells[4].overrides,
              ElementsAre("train.iterations=10", "augment.pipeline[1].size=128",
                          "data.train_fraction=0.2"));
  EXPECT_THAT(cells[5].overrides,
              ElementsAre("train.iterations=10", "augment.pipeline[1].size=128",
                          "data.train_fraction=0.2", "train.lr=0.5"));
  EXPECT_THAT(cells[5].factors[1], Pair("init", "supervised"));
}

TEST(SuiteSpecTest, SuiteOverridesApplyToTheSuiteFile) {
  const auto dir = FreshTestDir();
  absl::StatusOr<SuiteSpec> suite =
      LoadSuiteSpec(WriteSuiteFiles(dir, kSuite), {"suite.workers=1", "axes.seed={key=\"run.seed\", values=[0, 1]}"});
  ASSERT_THAT(suite, IsOk());
  EXPECT_EQ(suite->workers, 1);
  EXPECT_EQ(ExpandSuite(*suite).size(), 12u);
}

TEST(SuiteSpecTest, ErrorsNameFileLineAndKey) {
  const auto dir = FreshTestDir();
  const std::string bad = R"([suite]
experiment = "missing.toml"
worker = 2

[axes.init]
levels = [{ name = "random" }, { name = "random" }]

[axes.labeled_fraction]
values = [0.2]

[[exclude]]
init = "simclr"

[report]
columns = "augment"
)";
  absl::StatusOr<SuiteSpec> suite = LoadSuiteSpec(WriteSuiteFiles(dir, bad));
  const std::string file = (dir / "suite.toml").string();
  EXPECT_THAT(suite, StatusIs(absl::StatusCode::kInvalidArgument,
                              AllOf(HasSubstr(file + ":2:"), HasSubstr("missing.toml' does not exist"),
                                    HasSubstr(file + ":3:10: suite.worker: unknown key"),
                                    HasSubstr("level 'random' appears twice"),
                                    HasSubstr("axes.labeled_fraction.key: a `values` axis needs `key`"),
                                    HasSubstr("exclude[0].init: 'simclr' is not a level of axis init"),
                                    HasSubstr("report.columns: 'augment' is not an axis"))));
}

TEST(SuiteSpecTest, MissingSuiteTableIsAnError) {
  const auto dir = FreshTestDir();
  EXPECT_THAT(LoadSuiteSpec(WriteSuiteFiles(dir, "[axes]\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing [suite] table")));
}

}  // namespace
}  // namespace stlab
