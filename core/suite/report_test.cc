// WriteSuiteReport: the CSV's columns, the Markdown table's cells (means, standard
// deviations, differences, self-training's gain, missing cells, failed runs), the
// claims (Markdown, JSON, HTML) and a self-contained HTML page whose plots come from
// the runs' metrics.jsonl and pseudo-label summaries.
// STLAB_REPORT_TEST_OUT=FOLDER keeps each test's report in FOLDER/<test name>, to
// look at (scripts/check_report_html.sh renders it in headless Chromium).
#include "core/suite/report.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/engine/metrics_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kFailedLog[] = "/runs/random-1.0-st-0/student/train.log";

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where a test writes its report: a fresh temporary folder, or the kept folder. The
// temporary one empties the test's folder: call it first.
fs::path ReportDir() {
  const char* keep = std::getenv("STLAB_REPORT_TEST_OUT");
  if (keep == nullptr || *keep == '\0') return stlab::testing::FreshTestDir() / "report";
  const fs::path dir = fs::path(keep) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  return dir;
}

SuiteRunResult MakeRun(const std::string& init, const std::string& fraction, bool self_training,
                   int seed, double ap) {
  SuiteRunResult run;
  run.factors = {{"init", init},
                 {"labeled_fraction", fraction},
                 {"self_training", self_training ? "true" : "false"},
                 {"seed", absl::StrCat(seed)}};
  run.self_training = self_training;
  run.status = "done";
  run.metrics = {{"AP", ap}, {"AP50", 2 * ap}};
  return run;
}

// random/supervised x labeled fraction 0.2/1.0 x self-training x seeds 0/1. Random
// init at 1.0 with self-training has no finished run: seed 0 failed, seed 1 pending.
std::vector<SuiteRunResult> GridRuns() {
  std::vector<SuiteRunResult> runs;
  auto add_pair = [&](const std::string& init, const std::string& fraction, bool st, double ap0,
                      double ap1) {
    runs.push_back(MakeRun(init, fraction, st, 0, ap0));
    runs.push_back(MakeRun(init, fraction, st, 1, ap1));
  };
  for (const std::string fraction : {"0.2", "1.0"}) {
    const bool low = fraction == "0.2";
    add_pair("random", fraction, false, low ? 0.120 : 0.300, low ? 0.130 : 0.310);
    add_pair("random", fraction, true, low ? 0.150 : 0.0, low ? 0.160 : 0.0);
    add_pair("supervised", fraction, false, low ? 0.225 : 0.320, low ? 0.229 : 0.330);
    add_pair("supervised", fraction, true, low ? 0.250 : 0.340, low ? 0.260 : 0.350);
  }
  for (SuiteRunResult& run : runs) {
    if (!run.self_training) continue;
    run.teacher_metrics = {{"AP", run.metrics["AP"] / 2}};
  }
  // random, 1.0, self-training: runs[10] (seed 0) and runs[11] (seed 1).
  runs[10].status = "failed";
  runs[10].log = kFailedLog;
  runs[10].metrics.clear();
  runs[10].teacher_metrics.clear();
  runs[11].status = "pending";
  runs[11].metrics.clear();
  runs[11].teacher_metrics.clear();
  return runs;
}

SuiteReportLayout GridLayout() {
  SuiteReportLayout layout;
  layout.rows = {"labeled_fraction"};
  return layout;
}

// The lines of the HTML's section whose <h2> starts with `heading`.
std::string Section(const std::string& html, const std::string& heading) {
  const size_t begin = html.find(absl::StrCat("<h2>", heading));
  if (begin == std::string::npos) return "";
  return html.substr(begin, html.find("</section>", begin) - begin);
}

TEST(SuiteReportTest, CsvHasAColumnPerFactorAndMetricAndARowPerRun) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("grid", GridRuns(), GridLayout(), dir).status(), IsOk());
  const std::vector<std::string> lines =
      absl::StrSplit(Read(dir / "results.csv"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 17u);
  EXPECT_EQ(lines[0], "init,labeled_fraction,seed,self_training,status,AP,AP50,teacher_AP,log");
  EXPECT_EQ(lines[1], "random,0.2,0,false,done,0.12,0.24,,");
  EXPECT_EQ(lines[8], "supervised,0.2,1,true,done,0.26,0.52,0.13,");
  EXPECT_EQ(lines[11], absl::StrCat("random,1.0,0,true,failed,,,,", kFailedLog));
}

TEST(SuiteReportTest, AMetricNoRunReportsIsAnErrorNamingTheMetricsThereAre) {
  SuiteReportLayout layout = GridLayout();
  layout.metric = "APP";
  EXPECT_THAT(WriteSuiteReport("grid", GridRuns(), layout, ReportDir()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("report.metric = \"APP\" is not a metric of this suite's runs"),
                             HasSubstr("(did you mean 'AP'?)"), HasSubstr("they report: AP, AP50"))));
  // Before any run finished there is nothing to check against.
  std::vector<SuiteRunResult> pending = GridRuns();
  for (SuiteRunResult& run : pending) run.metrics.clear();
  EXPECT_THAT(WriteSuiteReport("grid", pending, layout, ReportDir()), IsOk());
}

TEST(SuiteReportTest, CsvQuotesFieldsWithCommasAndQuotes) {
  std::vector<SuiteRunResult> runs = {MakeRun("a,b", "0.5", false, 0, 0.5)};
  runs[0].factors[0].second = "say \"hi\", twice";
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("quoted", runs, GridLayout(), dir).status(), IsOk());
  EXPECT_THAT(Read(dir / "results.csv"), HasSubstr("\n\"say \"\"hi\"\", twice\",0.5,0,"));
}

TEST(SuiteReportTest, MarkdownCellsShowMeanStdDifferenceAndSelfTrainingGain) {
  const fs::path dir = ReportDir();
  const absl::StatusOr<std::string> markdown =
      WriteSuiteReport("grid", GridRuns(), GridLayout(), dir);
  ASSERT_THAT(markdown.status(), IsOk());
  EXPECT_EQ(Read(dir / "results.md"), *markdown);
  EXPECT_THAT(*markdown, StartsWith("# grid\n"));
  EXPECT_THAT(*markdown,
              HasSubstr("| labeled_fraction | random | random + ST | supervised | supervised + ST |\n"
                        "|---|---:|---:|---:|---:|\n"));
  // supervised at 0.2: 0.225, 0.229 -> 0.227 ± 0.0028; random: 0.125 -> +0.102.
  // Its students: 0.250, 0.260 -> 0.255 ± 0.0071, a gain of 0.028.
  EXPECT_THAT(*markdown, HasSubstr("| 0.2 | 0.125 ± 0.007 | 0.155 ± 0.007 (+0.030) | "
                                   "0.227 ± 0.003 (+0.102) | 0.255 ± 0.007 (+0.028) |\n"));
  // random + ST at 1.0 has no finished run.
  EXPECT_THAT(*markdown, HasSubstr("| 1.0 | 0.305 ± 0.007 | — | 0.325 ± 0.007 (+0.020) | "
                                   "0.345 ± 0.007 (+0.020) |\n"));
  EXPECT_THAT(*markdown, HasSubstr("mean ± sample standard deviation of AP over seed"));
}

TEST(SuiteReportTest, MarkdownListsFailedRunsWithTheirLogs) {
  const fs::path dir = ReportDir();
  const absl::StatusOr<std::string> markdown =
      WriteSuiteReport("grid", GridRuns(), GridLayout(), dir);
  ASSERT_THAT(markdown.status(), IsOk());
  EXPECT_THAT(*markdown, HasSubstr("16 runs: 14 done, 1 failed, 1 pending."));
  EXPECT_THAT(*markdown,
              HasSubstr(absl::StrCat("Failed runs:\n\n- init=random, labeled_fraction=1.0, "
                                     "self_training=true, seed=0: log `",
                                     kFailedLog, "`\n")));
}

TEST(SuiteReportTest, OneSeedShowsNoStdAndUnnamedAxesBecomeRows) {
  std::vector<SuiteRunResult> runs;
  for (const std::string augment : {"S1", "S4"}) {
    for (const std::string init : {"random", "simclr"}) {
      SuiteRunResult run = MakeRun(init, "0.5", false, 0, init == "random" ? 0.4 : 0.35);
      run.factors.insert(run.factors.begin(), {"augment", augment});
      run.factors.erase(run.factors.begin() + 3);  // no self_training axis
      runs.push_back(run);
    }
  }
  SuiteReportLayout layout;
  layout.rows = {"labeled_fraction"};
  const absl::StatusOr<std::string> markdown = WriteSuiteReport("one", runs, layout, ReportDir());
  ASSERT_THAT(markdown.status(), IsOk());
  EXPECT_THAT(*markdown, HasSubstr("| labeled_fraction | augment | random | simclr |\n"));
  EXPECT_THAT(*markdown, HasSubstr("| 0.5 | S4 | 0.400 | 0.350 (-0.050) |\n"));
  EXPECT_THAT(*markdown, Not(HasSubstr("+ ST")));
}

TEST(SuiteReportTest, WithoutRunsWithoutSelfTrainingTheTeachersFillThePlainColumns) {
  // The loss-normalization ablation's shape: every run self-trains.
  std::vector<SuiteRunResult> runs;
  for (const std::string combiner : {"sum", "loss_normalization"}) {
    SuiteRunResult run = MakeRun("random", "0.2", true, 0, combiner == "sum" ? 0.30 : 0.36);
    run.factors.erase(run.factors.begin());
    run.factors.insert(run.factors.begin(), {"combiner", combiner});
    run.teacher_metrics = {{"AP", 0.25}};
    runs.push_back(run);
  }
  SuiteReportLayout layout;
  layout.rows = {"labeled_fraction"};
  layout.columns = "combiner";
  layout.baseline = "sum";
  const absl::StatusOr<std::string> markdown = WriteSuiteReport("st_only", runs, layout, ReportDir());
  ASSERT_THAT(markdown.status(), IsOk());
  EXPECT_THAT(*markdown, HasSubstr("| 0.2 | 0.250 | 0.300 (+0.050) | 0.250 (+0.000) | 0.360 (+0.110) |"));
}

TEST(SuiteReportTest, HtmlIsOneSelfContainedPage) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("grid", GridRuns(), GridLayout(), dir).status(), IsOk());
  const std::string html = Read(dir / "report.html");
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("<table>"));
  EXPECT_THAT(html, HasSubstr(kFailedLog));
  const std::string without_namespace =
      absl::StrReplaceAll(html, {{"xmlns=\"http://www.w3.org/2000/svg\"", ""}});
  EXPECT_THAT(without_namespace, Not(HasSubstr("http://")));
  EXPECT_THAT(without_namespace, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  // The AP plot: a line per initialization, with and without self-training.
  EXPECT_THAT(Section(html, "AP against labeled_fraction"), HasSubstr("<polyline"));
  EXPECT_THAT(Section(html, "Training loss"), HasSubstr("No training curves yet"));
}

TEST(SuiteReportTest, HtmlPlotsLossCurvesAndRunningAveragesFromMetricsJsonl) {
  const fs::path dir = ReportDir();
  const fs::path runs_dir = dir / "runs";
  std::vector<SuiteRunResult> runs = GridRuns();
  for (size_t r = 0; r < runs.size(); ++r) {
    if (runs[r].status != "done") continue;
    runs[r].train_dir = runs_dir / absl::StrCat("run", r);
    fs::create_directories(runs[r].train_dir);
    auto log = MetricsLog::Open(runs[r].train_dir / "metrics.jsonl", 0);
    ASSERT_THAT(log.status(), IsOk());
    const double scale = 1.0 + 0.1 * static_cast<double>(r);
    for (int it = 10; it <= 400; it += 10) {
      std::map<std::string, double> values = {{"loss/total", scale * (0.4 + 3.0 / (1 + 0.05 * it))},
                                              {"lr", 0.1}};
      if (runs[r].self_training) {
        values["loss/human"] = values["loss/total"] * 0.6;
        values["loss/pseudo"] = values["loss/total"] * 0.4;
        values["combiner/mean_human"] = scale * (1.0 + 1.0 / (1 + 0.02 * it));
        values["combiner/mean_pseudo"] = scale * (0.6 + 0.8 / (1 + 0.02 * it));
      }
      ASSERT_THAT((*log)->Append("train", it, values), IsOk());
    }
    ASSERT_THAT((*log)->Append("eval", 400, {{"AP", runs[r].metrics["AP"]}}), IsOk());
  }
  // A stage still writing its last line, and a run whose folder holds nothing yet.
  std::ofstream(runs[0].train_dir / "metrics.jsonl", std::ios::app)
      << "{\"kind\": \"train\", \"iteration\": 41";
  runs[11].train_dir = runs_dir / "pending";

  ASSERT_THAT(WriteSuiteReport("curves", runs, GridLayout(), dir).status(), IsOk());
  const std::string html = Read(dir / "report.html");
  const std::string loss = Section(html, "Training loss");
  const std::string averages = Section(html, "Loss normalization");
  EXPECT_THAT(loss, HasSubstr("<polyline"));
  EXPECT_THAT(loss, HasSubstr("labeled_fraction = 0.2"));
  EXPECT_THAT(loss, HasSubstr("supervised + ST"));
  EXPECT_THAT(averages, HasSubstr("<polyline"));
  EXPECT_THAT(averages, HasSubstr("supervised: combiner/mean_pseudo"));
  EXPECT_THAT(averages, Not(HasSubstr("No student")));
}

TEST(SuiteReportTest, AbsentXAxisSkipsTheMetricPlot) {
  std::vector<SuiteRunResult> runs = GridRuns();
  SuiteReportLayout layout = GridLayout();
  layout.x = "augment";
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("no-x", runs, layout, dir).status(), IsOk());
  EXPECT_THAT(Section(Read(dir / "report.html"), "AP against augment"),
              HasSubstr("does not vary augment"));
}

// Self-training helps at 0.2 (d = 0.10, 0.12, 0.08) and is unclear at 1.0 (d =
// 0.10, -0.05, 0.01), over seeds 0-2, random initialization only.
std::vector<SuiteRunResult> ClaimRuns() {
  std::vector<SuiteRunResult> runs;
  const std::vector<double> control = {0.20, 0.20, 0.21};
  for (const std::string fraction : {"0.2", "1.0"}) {
    const std::vector<double> d = fraction == "0.2" ? std::vector<double>{0.10, 0.12, 0.08}
                                                    : std::vector<double>{0.10, -0.05, 0.01};
    for (int seed = 0; seed < 3; ++seed) {
      runs.push_back(MakeRun("random", fraction, false, seed, control[seed]));
      runs.push_back(MakeRun("random", fraction, true, seed, control[seed] + d[seed]));
    }
  }
  return runs;
}

SuiteReportLayout ClaimLayout() {
  SuiteReportLayout layout = GridLayout();
  SuiteClaim claim;
  claim.name = "self-training | helps";
  claim.metric = "AP";
  claim.axis = "self_training";
  claim.treatment = "true";
  claim.control = "false";
  layout.claims.push_back(claim);
  return layout;
}

TEST(SuiteReportTest, MarkdownSummarizesClaimsAndTabulatesTheirCells) {
  const fs::path dir = ReportDir();
  const absl::StatusOr<std::string> console =
      WriteSuiteReport("claims", ClaimRuns(), ClaimLayout(), dir);
  ASSERT_THAT(console.status(), IsOk());
  const std::string summary =
      "## Claims\n\n"
      "| claim | metric | verdict | cells supported | contradicted | inconclusive |\n"
      "|---|---|---|---:|---:|---:|\n"
      "| self-training \\| helps | AP | inconclusive | 1 | 0 | 1 |\n";
  EXPECT_THAT(*console, HasSubstr(summary));
  EXPECT_THAT(*console, Not(HasSubstr("### ")));
  const std::string markdown = Read(dir / "results.md");
  EXPECT_THAT(markdown, StartsWith(*console));
  EXPECT_THAT(markdown,
              HasSubstr("### self-training | helps\n\nd = AP(self_training = true) − "
                        "AP(self_training = false) for each seed; expected: increase (d > 0). "
                        "Verdict: inconclusive.\n\n"
                        "| cell | n | mean d | std d | verdict | d seed 0 | d seed 1 | d seed 2 |\n"
                        "|---|---:|---:|---:|---|---:|---:|---:|\n"
                        "| init = random · labeled_fraction = 0.2 | 3 | +0.100 | 0.020 | "
                        "supported | +0.100 | +0.120 | +0.080 |\n"
                        "| init = random · labeled_fraction = 1.0 | 3 | +0.020 | 0.075 | "
                        "inconclusive | +0.100 | -0.050 | +0.010 |\n"));
}

TEST(SuiteReportTest, ClaimCellsShowMissingSeedsAndTooFewSeeds) {
  std::vector<SuiteRunResult> runs = ClaimRuns();
  runs[11].status = "pending";  // 1.0, seed 2, with self-training.
  runs[11].metrics.clear();
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("claims", runs, ClaimLayout(), dir).status(), IsOk());
  EXPECT_THAT(Read(dir / "results.md"),
              HasSubstr("| init = random · labeled_fraction = 1.0 | 2 | +0.025 | 0.106 | "
                        "inconclusive (n seeds < 3) | +0.100 | -0.050 | missing |\n"));
}

TEST(SuiteReportTest, ClaimsJsonHoldsEveryClaimAndCell) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("claims", ClaimRuns(), ClaimLayout(), dir).status(), IsOk());
  simdjson::dom::parser parser;
  simdjson::dom::element json;
  ASSERT_EQ(parser.load((dir / "claims.json").string()).get(json), simdjson::SUCCESS);
  simdjson::dom::array claims;
  ASSERT_EQ(json["claims"].get_array().get(claims), simdjson::SUCCESS);
  ASSERT_EQ(claims.size(), 1u);
  const simdjson::dom::element claim = claims.at(0);
  EXPECT_EQ(std::string_view(claim["name"]), "self-training | helps");
  EXPECT_EQ(std::string_view(claim["compare"]["treatment"]), "true");
  EXPECT_TRUE(claim["across"].is_null());
  EXPECT_EQ(std::string_view(claim["expect"]), "increase");
  EXPECT_EQ(std::string_view(claim["verdict"]), "inconclusive");
  EXPECT_EQ(int64_t(claim["cells_supported"]), 1);
  EXPECT_EQ(int64_t(claim["cells_inconclusive"]), 1);
  const simdjson::dom::element cell = claim["cells"].at(0);
  EXPECT_EQ(std::string_view(cell["factors"]["labeled_fraction"]), "0.2");
  EXPECT_EQ(int64_t(cell["n"]), 3);
  EXPECT_NEAR(double(cell["mean_d"]), 0.10, 1e-12);
  EXPECT_NEAR(double(cell["std_d"]), 0.02, 1e-12);
  EXPECT_EQ(std::string_view(cell["verdict"]), "supported");
  EXPECT_EQ(std::string_view(cell["effects"].at(1)["seed"]), "1");
  EXPECT_NEAR(double(cell["effects"].at(1)["d"]), 0.12, 1e-12);
  EXPECT_EQ(simdjson::dom::array(cell["missing_seeds"]).size(), 0u);
  // Without claims, the file says so (no stale claims from an earlier report).
  ASSERT_THAT(WriteSuiteReport("claims", ClaimRuns(), GridLayout(), dir).status(), IsOk());
  EXPECT_EQ(Read(dir / "claims.json"), "{\"claims\": []}\n");
}

TEST(SuiteReportTest, HtmlShowsClaimsWithVerdictsAndCells) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("claims", ClaimRuns(), ClaimLayout(), dir).status(), IsOk());
  const std::string claims = Section(Read(dir / "report.html"), "Claims");
  EXPECT_THAT(claims, HasSubstr("<td class=\"text flat\">inconclusive</td>"));
  EXPECT_THAT(claims, HasSubstr("<h3>self-training | helps</h3>"));
  EXPECT_THAT(claims, HasSubstr("<td class=\"text\">init = random · labeled_fraction = 0.2</td>"
                                "<td>3</td><td>+0.100</td><td>0.020</td>"
                                "<td class=\"text up\">supported</td>"));
  ASSERT_THAT(WriteSuiteReport("grid", GridRuns(), GridLayout(), dir).status(), IsOk());
  EXPECT_EQ(Section(Read(dir / "report.html"), "Claims"), "");
}

// GridRuns with each finished self-training run's pseudo-label stage: its metrics,
// and (detection) a summary with a precision-recall curve in `runs_dir`.
std::vector<SuiteRunResult> GridRunsWithPseudoLabels(const fs::path& runs_dir) {
  std::vector<SuiteRunResult> runs = GridRuns();
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].self_training || runs[r].status != "done") continue;
    runs[r].pseudo_label_dir = runs_dir / absl::StrCat("pseudo", r);
    runs[r].pseudo_label_metrics = {{"pseudo/images", 40},
                                    {"pseudo/precision", 0.8},
                                    {"pseudo/recall", r == 2 ? 0.52 : 0.625},
                                    {"labeler/other", 1}};
    stlab::testing::WriteFile(
        runs[r].pseudo_label_dir / "pseudo_labels_summary.json",
        "{\"images\": 40, \"kept\": 38, \"quality\": {\"pr_curve\": ["
        "{\"threshold\": 0.3, \"precision\": 0.6, \"recall\": 0.8, \"boxes_per_image\": 3.1}, "
        "{\"threshold\": 0.5, \"precision\": 0.8, \"recall\": 0.6, \"boxes_per_image\": 2.0}, "
        "{\"threshold\": 0.7, \"precision\": 0.9, \"recall\": 0.4, \"boxes_per_image\": 1.2}, "
        "{\"threshold\": 0.9, \"precision\": null, \"recall\": 0.0, \"boxes_per_image\": 0}]}}\n");
  }
  return runs;
}

TEST(SuiteReportTest, CsvHasAColumnPerPseudoLabelMetricAfterTheOthers) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(
      WriteSuiteReport("grid", GridRunsWithPseudoLabels(dir / "runs"), GridLayout(), dir).status(),
      IsOk());
  const std::vector<std::string> lines =
      absl::StrSplit(Read(dir / "results.csv"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 17u);
  EXPECT_EQ(lines[0], "init,labeled_fraction,seed,self_training,status,AP,AP50,teacher_AP,log,"
                      "pseudo/images,pseudo/precision,pseudo/recall");
  EXPECT_EQ(lines[1], "random,0.2,0,false,done,0.12,0.24,,,,,");
  EXPECT_EQ(lines[8], "supervised,0.2,1,true,done,0.26,0.52,0.13,,40,0.8,0.625");
  EXPECT_EQ(lines[11], absl::StrCat("random,1.0,0,true,failed,,,,", kFailedLog, ",,,"));
}

TEST(SuiteReportTest, HtmlPlotsThePseudoLabelsPrecisionRecallCurveAndOperatingPoint) {
  const fs::path dir = ReportDir();
  std::vector<SuiteRunResult> runs = GridRunsWithPseudoLabels(dir / "runs");
  // runs[3] (random, 0.2, ST, seed 1): a summary that does not parse; runs[6]
  // (supervised, 0.2, ST, seed 0): one without ground truth.
  stlab::testing::WriteFile(runs[3].pseudo_label_dir / "pseudo_labels_summary.json", "{\"images\": ");
  stlab::testing::WriteFile(runs[6].pseudo_label_dir / "pseudo_labels_summary.json",
                            "{\"images\": 40, \"kept\": 38}\n");
  ASSERT_THAT(WriteSuiteReport("pr", runs, GridLayout(), dir).status(), IsOk());
  const std::string section = Section(Read(dir / "report.html"), "Pseudo-label quality");
  // runs[2] (random, 0.2, seed 0): the curve, labelled by threshold, and the
  // operating point; the point without precision is left out.
  const std::string title = "init=random, labeled_fraction=0.2, seed=0";
  const size_t chart = section.find(absl::StrCat("aria-label=\"", title, "\""));
  ASSERT_NE(chart, std::string::npos);
  const std::string svg = section.substr(chart, section.find("</svg>", chart) - chart);
  EXPECT_THAT(svg, HasSubstr("<polyline"));
  EXPECT_THAT(svg, HasSubstr("<title>0.3</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>0.7</title>"));
  EXPECT_THAT(svg, Not(HasSubstr("<title>0.9</title>")));
  EXPECT_THAT(svg, HasSubstr("fill=\"#D55E00\""));  // The operating point.
  EXPECT_THAT(section, HasSubstr("pseudo/images 40 · pseudo/precision 0.8 · pseudo/recall 0.52"));
  EXPECT_THAT(section, Not(HasSubstr("labeler/other")));
  EXPECT_THAT(section, HasSubstr("operating point"));
  EXPECT_THAT(section, HasSubstr(absl::StrCat(
                           "init=random, labeled_fraction=0.2, seed=1: no readable summary (",
                           (runs[3].pseudo_label_dir / "pseudo_labels_summary.json").string())));
  EXPECT_THAT(section, HasSubstr("1 labeling without quality"));
  // Six finished self-training runs, two of them without a plot.
  size_t charts = 0;
  for (size_t at = section.find("<svg xmlns"); at != std::string::npos;
       at = section.find("<svg xmlns", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 4u);
}

TEST(SuiteReportTest, HtmlTabulatesSegmentationPseudoLabelsPerClass) {
  const fs::path dir = ReportDir();
  std::vector<SuiteRunResult> runs = GridRuns();
  runs[2].pseudo_label_dir = dir / "runs" / "pseudo";
  runs[2].pseudo_label_metrics = {{"pseudo/miou", 0.55}, {"pseudo/pixel_accuracy", 0.91}};
  stlab::testing::WriteFile(
      runs[2].pseudo_label_dir / "pseudo_labels_summary.json",
      "{\"quality\": {\"per_class\": {\"background\": {\"coverage\": 0.97, \"iou\": 0.9}, "
      "\"circle <1>\": {\"coverage\": 0.42, \"iou\": null}}}}\n");
  ASSERT_THAT(WriteSuiteReport("seg", runs, GridLayout(), dir).status(), IsOk());
  const std::string section = Section(Read(dir / "report.html"), "Pseudo-label quality");
  EXPECT_THAT(section, HasSubstr("<td class=\"text\">background</td><td>0.970</td><td>0.900</td>"));
  EXPECT_THAT(section, HasSubstr("<td class=\"text\">circle &lt;1&gt;</td><td>0.420</td><td>—</td>"));
  EXPECT_THAT(section, HasSubstr("pseudo/miou 0.55 · pseudo/pixel_accuracy 0.91"));
  EXPECT_THAT(section, Not(HasSubstr("<svg")));
}

TEST(SuiteReportTest, HtmlSaysWhenNoPseudoLabelStageFinished) {
  const fs::path dir = ReportDir();
  ASSERT_THAT(WriteSuiteReport("grid", GridRuns(), GridLayout(), dir).status(), IsOk());
  EXPECT_THAT(Section(Read(dir / "report.html"), "Pseudo-label quality"),
              HasSubstr("No pseudo-label stage has finished yet."));
}

TEST(SuiteReportTest, WriteFailureNamesTheFile) {
  const fs::path blocker =
      stlab::testing::WriteFile(ReportDir() / "a_file", "not a folder");
  EXPECT_THAT(WriteSuiteReport("grid", GridRuns(), GridLayout(), blocker / "report").status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("results.csv")));
}

}  // namespace
}  // namespace stlab
