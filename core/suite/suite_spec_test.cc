#include "core/suite/suite_spec.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
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
using ::testing::StartsWith;

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

TEST(SuiteSpecTest, SuiteNameIsOneEntryOfTheOutputFolder) {
  for (const std::string name : {"../../x", "/tmp/x", "", ".."}) {
    const auto dir = FreshTestDir();
    absl::StatusOr<SuiteSpec> suite = LoadSuiteSpec(WriteSuiteFiles(
        dir, absl::StrCat("[suite]\nname = \"", name, "\"\nexperiment = \"experiment.toml\"\n")));
    EXPECT_THAT(suite, StatusIs(absl::StatusCode::kInvalidArgument,
                                AllOf(HasSubstr((dir / "suite.toml").string() + ":2:"),
                                      HasSubstr("suite.name: must be string, a file name"))))
        << name;
  }
}

TEST(SuiteSpecTest, MissingSuiteTableIsAnError) {
  const auto dir = FreshTestDir();
  EXPECT_THAT(LoadSuiteSpec(WriteSuiteFiles(dir, "[axes]\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing [suite] table")));
}

constexpr char kClaimsSuite[] = R"([suite]
name = "claims"
experiment = "experiment.toml"

[axes.init]
levels = [{ name = "random" }, { name = "supervised" }]

[axes.augment]
levels = [{ name = "s1" }, { name = "s4" }]

[axes.self_training]
values = [false, true]

[axes.seed]
key = "run.seed"
values = [0, 1, 2]

[report]
metric = "AP"
)";

constexpr char kGoodClaims[] = R"(
[[report.claim]]
name = "(b) self-training improves on the same initialization"
compare = { axis = "self_training", treatment = true, control = false }
expect = "increase"
where = { init = "random" }

[[report.claim]]
name = "(a) supervised pre-training's gain shrinks from Aug-S1 to Aug-S4"
compare = { axis = "init", treatment = "supervised", control = "random" }
across = { axis = "augment", from = "s1", to = "s4" }
expect = "decrease"
metric = "AP50"
)";

TEST(SuiteSpecTest, ReadsClaims) {
  const auto dir = FreshTestDir();
  absl::StatusOr<SuiteSpec> suite =
      LoadSuiteSpec(WriteSuiteFiles(dir, absl::StrCat(kClaimsSuite, kGoodClaims)));
  ASSERT_THAT(suite, IsOk());
  const std::vector<SuiteClaim>& claims = suite->report.claims;
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].name, "(b) self-training improves on the same initialization");
  EXPECT_EQ(claims[0].metric, "AP");  // report.metric
  EXPECT_EQ(claims[0].axis, "self_training");
  EXPECT_EQ(claims[0].treatment, "true");
  EXPECT_EQ(claims[0].control, "false");
  EXPECT_EQ(claims[0].expect, ClaimExpectation::kIncrease);
  EXPECT_FALSE(claims[0].across.has_value());
  EXPECT_THAT(claims[0].where, ElementsAre(Pair("init", "random")));
  EXPECT_EQ(claims[1].metric, "AP50");
  EXPECT_EQ(claims[1].axis, "init");
  EXPECT_EQ(claims[1].treatment, "supervised");
  EXPECT_EQ(claims[1].expect, ClaimExpectation::kDecrease);
  ASSERT_TRUE(claims[1].across.has_value());
  EXPECT_EQ(claims[1].across->axis, "augment");
  EXPECT_EQ(claims[1].across->from, "s1");
  EXPECT_EQ(claims[1].across->to, "s4");
  EXPECT_TRUE(claims[1].where.empty());
}

// The error line that names `key`, "" when there is none.
std::string ErrorNaming(const absl::Status& status, const std::string& key) {
  for (const absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    if (absl::StrContains(line, absl::StrCat(": ", key, ": "))) return std::string(line);
  }
  return "";
}

TEST(SuiteSpecTest, ClaimErrorsNameFileLineAndKey) {
  const auto dir = FreshTestDir();
  // kClaimsSuite has 19 lines: this text starts on line 20.
  const std::string bad = R"([[report.claim]]
name = "unknown key"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "increase"
expected = "increase"

[[report.claim]]
name = "unknown axis"
compare = { axis = "optimizer", treatment = "sgd", control = "adam" }
expect = "increase"

[[report.claim]]
name = "unknown levels"
compare = { axis = "init", treatment = "simclr", control = "random" }
across = { axis = "augment", from = "s9", to = "s4" }
expect = "increase"

[[report.claim]]
name = "bad expect"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "up"

[[report.claim]]
name = "across the compared axis"
compare = { axis = "init", treatment = "supervised", control = "random" }
across = { axis = "init", from = "random", to = "supervised" }
expect = "increase"

[[report.claim]]
name = "bad where"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "increase"
where = { optimizer = "sgd", augment = "s9" }

[[report.claim]]
metric = "AP"

[[report.claim]]
name = "unknown key"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "increase"

[[report.claim]]
name = "twice"
compare = { axis = "init", treatment = "supervised", control = "random", level = "x" }
expect = "decrease"
[[report.claim]]
name = "twice"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "decrease"
)";
  const absl::Status status =
      LoadSuiteSpec(WriteSuiteFiles(dir, absl::StrCat(kClaimsSuite, bad))).status();
  ASSERT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  const std::string file = (dir / "suite.toml").string();
  auto at = [&file](int line) { return StartsWith(absl::StrCat(file, ":", line, ":")); };
  EXPECT_THAT(ErrorNaming(status, "report.claim[0].expected"), AllOf(at(24), HasSubstr("unknown key")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[1].compare.axis"),
              AllOf(at(28), HasSubstr("'optimizer' is not an axis of this suite")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[2].compare.treatment"),
              AllOf(at(33), HasSubstr("'simclr' is not a level of axis init")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[2].across.from"),
              AllOf(at(34), HasSubstr("'s9' is not a level of axis augment")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[3].expect"),
              AllOf(at(40), HasSubstr("expected \"increase\" or \"decrease\", got 'up'")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[4].across.axis"),
              AllOf(at(45), HasSubstr("'init' is the compared axis")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[5].where.optimizer"),
              AllOf(at(52), HasSubstr("not an axis of this suite")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[5].where.augment"),
              AllOf(at(52), HasSubstr("'s9' is not a level of axis augment")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[6].name"), AllOf(at(54), HasSubstr("missing")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[6].compare"), AllOf(at(54), HasSubstr("missing")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[6].expect"), AllOf(at(54), HasSubstr("missing")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[7].name"),
              AllOf(at(58), HasSubstr("claim 'unknown key' appears twice")));
  EXPECT_THAT(ErrorNaming(status, "report.claim[8].compare.level"),
              AllOf(at(64), HasSubstr("unknown key")));
  // Names are unique whether or not their claims have other errors.
  EXPECT_THAT(ErrorNaming(status, "report.claim[9].name"),
              AllOf(at(67), HasSubstr("claim 'twice' appears twice")));
}

TEST(SuiteSpecTest, ClaimOfTheSameLevelsIsAnError) {
  const auto dir = FreshTestDir();
  const std::string claim = R"([[report.claim]]
name = "same"
compare = { axis = "init", treatment = "random", control = "random" }
across = { axis = "augment", from = "s1", to = "s1" }
expect = "increase"
)";
  const absl::Status status =
      LoadSuiteSpec(WriteSuiteFiles(dir, absl::StrCat(kClaimsSuite, claim))).status();
  EXPECT_THAT(ErrorNaming(status, "report.claim[0].compare.control"), HasSubstr("also the treatment"));
  EXPECT_THAT(ErrorNaming(status, "report.claim[0].across.to"), HasSubstr("also `from`"));
}

TEST(SuiteSpecTest, ClaimsNeedASeedAxisAndNameTheClaim) {
  const auto dir = FreshTestDir();
  std::string suite = absl::StrCat(kClaimsSuite, kGoodClaims);
  suite = absl::StrReplaceAll(suite, {{"[axes.seed]\nkey = \"run.seed\"\nvalues = [0, 1, 2]\n", ""}});
  const absl::Status status = LoadSuiteSpec(WriteSuiteFiles(dir, suite)).status();
  EXPECT_THAT(ErrorNaming(status, "report.claim[0]"),
              HasSubstr("claim '(b) self-training improves on the same initialization' needs a "
                        "`seed` axis"));
  EXPECT_THAT(ErrorNaming(status, "report.claim[1]"), HasSubstr("needs a `seed` axis"));
}

TEST(SuiteSpecTest, ClaimWithoutACellIsAnError) {
  const auto dir = FreshTestDir();
  // Every supervised run without self-training is excluded: the second claim
  // compares supervised and random without self-training only.
  const std::string suite = absl::StrCat(kClaimsSuite, R"([[report.claim]]
name = "has cells"
compare = { axis = "self_training", treatment = true, control = false }
expect = "increase"

[[report.claim]]
name = "no cell"
compare = { axis = "init", treatment = "supervised", control = "random" }
expect = "increase"
where = { self_training = false }

[[exclude]]
init = "supervised"
self_training = false
)");
  const absl::Status status = LoadSuiteSpec(WriteSuiteFiles(dir, suite)).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  const std::string file = (dir / "suite.toml").string();
  EXPECT_THAT(ErrorNaming(status, "report.claim[1]"),
              AllOf(StartsWith(absl::StrCat(file, ":25:")), HasSubstr("claim 'no cell' has no cell")));
  EXPECT_EQ(ErrorNaming(status, "report.claim[0]"), "");
}

}  // namespace
}  // namespace stlab
