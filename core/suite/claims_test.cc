// EvaluateClaims: the paired effect per seed (and the difference of differences
// with `across`), mean and sample standard deviation over seeds, the verdict of each
// cell and of the claim, missing and too few seeds, `where` and cells that
// exclusions leave without a comparison. The numbers are computed by hand.
#include "core/suite/claims.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/suite/report.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace stlab {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using Factors = std::vector<std::pair<std::string, std::string>>;

SuiteRunResult MakeRun(Factors factors, double ap, const std::string& status = "done") {
  SuiteRunResult run;
  run.factors = std::move(factors);
  for (const auto& [axis, level] : run.factors) {
    if (axis == "self_training") run.self_training = level == "true";
  }
  run.status = status;
  if (status == "done") run.metrics = {{"AP", ap}, {"AP50", 2 * ap}};
  return run;
}

// A run with and without self-training at labeled fraction `fraction` per seed:
// the students' AP is `control[s] + d[s]`.
void AddSelfTrainingPairs(std::vector<SuiteRunResult>& runs, const std::string& fraction,
                          const std::vector<double>& control, const std::vector<double>& d) {
  for (size_t s = 0; s < control.size(); ++s) {
    const std::string seed = absl::StrCat(s);
    runs.push_back(MakeRun(
        {{"labeled_fraction", fraction}, {"seed", seed}, {"self_training", "false"}}, control[s]));
    runs.push_back(MakeRun(
        {{"labeled_fraction", fraction}, {"seed", seed}, {"self_training", "true"}},
        control[s] + d[s]));
  }
}

SuiteClaim SelfTrainingClaim(ClaimExpectation expect = ClaimExpectation::kIncrease) {
  SuiteClaim claim;
  claim.name = "self-training helps";
  claim.metric = "AP";
  claim.axis = "self_training";
  claim.treatment = "true";
  claim.control = "false";
  claim.expect = expect;
  return claim;
}

ClaimResult EvaluateOne(const SuiteClaim& claim, const std::vector<SuiteRunResult>& runs) {
  std::vector<ClaimResult> results = EvaluateClaims({claim}, runs);
  EXPECT_EQ(results.size(), 1u);
  return results.front();
}

TEST(ClaimsTest, SupportedWhenMeanMinusStdOfTheExpectedSignIsPositive) {
  std::vector<SuiteRunResult> runs;
  // d = 0.10, 0.12, 0.08: mean 0.10, std sqrt((0 + 0.0004 + 0.0004) / 2) = 0.02.
  AddSelfTrainingPairs(runs, "0.2", {0.20, 0.20, 0.21}, {0.10, 0.12, 0.08});
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  const ClaimCellResult& cell = result.cells[0];
  EXPECT_EQ(cell.Title(), "labeled_fraction = 0.2");
  EXPECT_EQ(cell.n, 3);
  EXPECT_NEAR(cell.mean, 0.10, 1e-12);
  EXPECT_NEAR(cell.std, 0.02, 1e-12);
  ASSERT_EQ(cell.effects.size(), 3u);
  EXPECT_EQ(cell.effects[1].first, "1");
  EXPECT_NEAR(cell.effects[1].second, 0.12, 1e-12);
  EXPECT_TRUE(cell.missing_seeds.empty());
  EXPECT_EQ(cell.verdict, ClaimVerdict::kSupported);
  EXPECT_EQ(cell.note, "");
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);
  EXPECT_EQ(result.supported, 1);
}

TEST(ClaimsTest, ContradictedWhenMeanPlusStdIsNegativeAndTheSignFlipsWithExpect) {
  std::vector<SuiteRunResult> runs;
  // d = -0.05, -0.06, -0.04: mean -0.05, std 0.01.
  AddSelfTrainingPairs(runs, "0.2", {0.30, 0.30, 0.30}, {-0.05, -0.06, -0.04});
  const ClaimResult increase = EvaluateOne(SelfTrainingClaim(ClaimExpectation::kIncrease), runs);
  ASSERT_EQ(increase.cells.size(), 1u);
  EXPECT_EQ(increase.cells[0].verdict, ClaimVerdict::kContradicted);
  EXPECT_EQ(increase.verdict, ClaimVerdict::kContradicted);
  // The same measurements support the opposite claim; d is reported as measured.
  const ClaimResult decrease = EvaluateOne(SelfTrainingClaim(ClaimExpectation::kDecrease), runs);
  EXPECT_EQ(decrease.cells[0].verdict, ClaimVerdict::kSupported);
  EXPECT_NEAR(decrease.cells[0].mean, -0.05, 1e-12);
  EXPECT_NEAR(decrease.cells[0].std, 0.01, 1e-12);
}

TEST(ClaimsTest, InconclusiveWhenTheSpreadCoversZero) {
  std::vector<SuiteRunResult> runs;
  // d = 0.10, -0.05, 0.01: mean 0.02, std sqrt((0.0064 + 0.0049 + 0.0001) / 2) = 0.0755.
  AddSelfTrainingPairs(runs, "0.2", {0.30, 0.30, 0.30}, {0.10, -0.05, 0.01});
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  EXPECT_NEAR(result.cells[0].mean, 0.02, 1e-12);
  EXPECT_NEAR(result.cells[0].std, std::sqrt(0.0057), 1e-12);
  EXPECT_EQ(result.cells[0].verdict, ClaimVerdict::kInconclusive);
  EXPECT_EQ(result.cells[0].note, "");
  EXPECT_EQ(result.verdict, ClaimVerdict::kInconclusive);
}

TEST(ClaimsTest, FewerThanThreeSeedsIsInconclusiveWithANote) {
  std::vector<SuiteRunResult> runs;
  AddSelfTrainingPairs(runs, "0.2", {0.20, 0.20}, {0.10, 0.12});
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  EXPECT_EQ(result.cells[0].n, 2);
  EXPECT_NEAR(result.cells[0].mean, 0.11, 1e-12);
  EXPECT_EQ(result.cells[0].verdict, ClaimVerdict::kInconclusive);
  EXPECT_EQ(result.cells[0].note, "n seeds < 3");
  EXPECT_EQ(result.verdict, ClaimVerdict::kInconclusive);
}

TEST(ClaimsTest, SeedsWithoutEveryFinishedFiniteRunAreMissing) {
  std::vector<SuiteRunResult> runs;
  AddSelfTrainingPairs(runs, "0.2", {0.2, 0.2, 0.2, 0.2, 0.2, 0.2},
                       {0.10, 0.12, 0.5, 0.5, 0.5, 0.08});
  // Runs come in (without, with) pairs per seed: seed 2's student is pending,
  // seed 3's baseline failed, seed 4's student has a NaN metric.
  runs[5] = MakeRun(runs[5].factors, 0, "pending");
  runs[6] = MakeRun(runs[6].factors, 0, "failed");
  runs[9].metrics["AP"] = NAN;
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  const ClaimCellResult& cell = result.cells[0];
  EXPECT_THAT(cell.missing_seeds, ElementsAre("2", "3", "4"));
  ASSERT_EQ(cell.n, 3);
  EXPECT_EQ(cell.effects[2].first, "5");
  EXPECT_NEAR(cell.mean, 0.10, 1e-12);
  EXPECT_EQ(cell.verdict, ClaimVerdict::kSupported);
}

TEST(ClaimsTest, AcrossTakesTheDifferenceOfDifferencesPerSeed) {
  // Supervised pre-training's gain over random at Aug-S1 and Aug-S4, per seed:
  // seed 0: 0.10 -> 0.03, seed 1: 0.12 -> 0.04, seed 2: 0.09 -> 0.03, so
  // d = -0.07, -0.08, -0.06: mean -0.07, std 0.01.
  const std::vector<std::vector<double>> ap = {
      // random s1, supervised s1, random s4, supervised s4
      {0.30, 0.40, 0.42, 0.45},
      {0.31, 0.43, 0.40, 0.44},
      {0.29, 0.38, 0.41, 0.44},
  };
  std::vector<SuiteRunResult> runs;
  for (size_t s = 0; s < ap.size(); ++s) {
    const std::string seed = absl::StrCat(s);
    int k = 0;
    for (const std::string augment : {"s1", "s4"}) {
      for (const std::string init : {"random", "supervised"}) {
        runs.push_back(MakeRun({{"augment", augment}, {"init", init}, {"labeled_fraction", "0.2"},
                                {"seed", seed}},
                               ap[s][k++]));
      }
    }
  }
  // A level of the across axis that is neither `from` nor `to` plays no part.
  runs.push_back(MakeRun({{"augment", "s2"}, {"init", "supervised"}, {"labeled_fraction", "0.2"},
                          {"seed", "0"}},
                         0.9));
  SuiteClaim claim;
  claim.name = "(a) the gain shrinks";
  claim.metric = "AP";
  claim.axis = "init";
  claim.treatment = "supervised";
  claim.control = "random";
  claim.across = SuiteClaim::Across{"augment", "s1", "s4"};
  claim.expect = ClaimExpectation::kDecrease;
  const ClaimResult result = EvaluateOne(claim, runs);
  ASSERT_EQ(result.cells.size(), 1u);
  const ClaimCellResult& cell = result.cells[0];
  EXPECT_THAT(cell.factors, ElementsAre(Pair("labeled_fraction", "0.2")));
  ASSERT_EQ(cell.n, 3);
  EXPECT_NEAR(cell.effects[0].second, -0.07, 1e-12);
  EXPECT_NEAR(cell.effects[1].second, -0.08, 1e-12);
  EXPECT_NEAR(cell.effects[2].second, -0.06, 1e-12);
  EXPECT_NEAR(cell.mean, -0.07, 1e-12);
  EXPECT_NEAR(cell.std, 0.01, 1e-12);
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);

  // A missing run at `from` makes its seed missing.
  runs[0] = MakeRun(runs[0].factors, 0, "pending");
  const ClaimResult with_missing = EvaluateOne(claim, runs);
  EXPECT_THAT(with_missing.cells[0].missing_seeds, ElementsAre("0"));
  EXPECT_EQ(with_missing.cells[0].note, "n seeds < 3");
}

TEST(ClaimsTest, SupportedOnlyWhenEveryCellIsAndContradictedWhenAnyIs) {
  std::vector<SuiteRunResult> supported_cell;
  AddSelfTrainingPairs(supported_cell, "0.2", {0.2, 0.2, 0.2}, {0.10, 0.12, 0.08});
  std::vector<SuiteRunResult> inconclusive_cell;
  AddSelfTrainingPairs(inconclusive_cell, "0.5", {0.3, 0.3, 0.3}, {0.10, -0.05, 0.01});
  std::vector<SuiteRunResult> contradicted_cell;
  AddSelfTrainingPairs(contradicted_cell, "1.0", {0.4, 0.4, 0.4}, {-0.05, -0.06, -0.04});
  auto join = [](std::vector<std::vector<SuiteRunResult>> parts) {
    std::vector<SuiteRunResult> runs;
    for (auto& part : parts) runs.insert(runs.end(), part.begin(), part.end());
    return runs;
  };

  ClaimResult result = EvaluateOne(SelfTrainingClaim(), join({supported_cell}));
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);

  result = EvaluateOne(SelfTrainingClaim(), join({supported_cell, inconclusive_cell}));
  ASSERT_EQ(result.cells.size(), 2u);
  EXPECT_EQ(result.cells[1].Title(), "labeled_fraction = 0.5");
  EXPECT_EQ(result.supported, 1);
  EXPECT_EQ(result.inconclusive, 1);
  EXPECT_EQ(result.verdict, ClaimVerdict::kInconclusive);

  result = EvaluateOne(SelfTrainingClaim(),
                       join({supported_cell, inconclusive_cell, contradicted_cell}));
  ASSERT_EQ(result.cells.size(), 3u);
  EXPECT_EQ(result.contradicted, 1);
  EXPECT_EQ(result.verdict, ClaimVerdict::kContradicted);
}

TEST(ClaimsTest, WhereKeepsMatchingRunsAndItsAxesMakeNoCells) {
  std::vector<SuiteRunResult> runs;
  for (const std::string init : {"random", "supervised"}) {
    std::vector<SuiteRunResult> part;
    // Random: self-training helps; supervised: it hurts.
    AddSelfTrainingPairs(part, "0.2", {0.2, 0.2, 0.2},
                         init == "random" ? std::vector<double>{0.10, 0.12, 0.08}
                                          : std::vector<double>{-0.05, -0.06, -0.04});
    for (SuiteRunResult& run : part) run.factors.insert(run.factors.begin(), {"init", init});
    runs.insert(runs.end(), part.begin(), part.end());
  }
  SuiteClaim claim = SelfTrainingClaim();
  EXPECT_EQ(EvaluateOne(claim, runs).verdict, ClaimVerdict::kContradicted);
  claim.where = {{"init", "random"}};
  const ClaimResult result = EvaluateOne(claim, runs);
  ASSERT_EQ(result.cells.size(), 1u);
  EXPECT_EQ(result.cells[0].Title(), "labeled_fraction = 0.2");
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);
}

TEST(ClaimsTest, CombinationsWithoutAnyCompleteSeedAreNoCells) {
  std::vector<SuiteRunResult> runs;
  AddSelfTrainingPairs(runs, "0.2", {0.2, 0.2, 0.2}, {0.10, 0.12, 0.08});
  // At 0.5 an exclusion left only the runs without self-training.
  for (const std::string seed : {"0", "1", "2"}) {
    runs.push_back(
        MakeRun({{"labeled_fraction", "0.5"}, {"seed", seed}, {"self_training", "false"}}, 0.3));
  }
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  EXPECT_EQ(result.cells[0].Title(), "labeled_fraction = 0.2");
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);
  // Pending runs still make cells (a suite that has not run yet has all of them).
  std::vector<SuiteRunResult> pending = runs;
  for (SuiteRunResult& run : pending) run = MakeRun(run.factors, 0, "pending");
  EXPECT_EQ(EvaluateOne(SelfTrainingClaim(), pending).cells.size(), 1u);
}

TEST(ClaimsTest, WithoutOtherAxesTheOneCellIsAllRuns) {
  std::vector<SuiteRunResult> runs;
  AddSelfTrainingPairs(runs, "0.2", {0.2, 0.2, 0.2}, {0.10, 0.12, 0.08});
  for (SuiteRunResult& run : runs) run.factors.erase(run.factors.begin());
  const ClaimResult result = EvaluateOne(SelfTrainingClaim(), runs);
  ASSERT_EQ(result.cells.size(), 1u);
  EXPECT_EQ(result.cells[0].Title(), "all runs");
  EXPECT_EQ(result.verdict, ClaimVerdict::kSupported);
}

TEST(ClaimsTest, TheClaimsMetricIsUsed) {
  std::vector<SuiteRunResult> runs;
  AddSelfTrainingPairs(runs, "0.2", {0.20, 0.20, 0.21}, {0.10, 0.12, 0.08});
  SuiteClaim claim = SelfTrainingClaim();
  claim.metric = "AP50";  // 2 x AP in MakeRun.
  const ClaimResult result = EvaluateOne(claim, runs);
  EXPECT_NEAR(result.cells[0].mean, 0.20, 1e-12);
  claim.metric = "mIoU";  // No run has it: every seed is missing.
  const ClaimResult absent = EvaluateOne(claim, runs);
  EXPECT_EQ(absent.cells[0].n, 0);
  EXPECT_EQ(absent.cells[0].missing_seeds.size(), 3u);
  EXPECT_EQ(absent.verdict, ClaimVerdict::kInconclusive);
}

}  // namespace
}  // namespace stlab
