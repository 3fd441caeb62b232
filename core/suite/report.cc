// WriteSuiteReport: results.csv, the paper-style Markdown table with the claims'
// verdicts (EvaluateClaims), claims.json and report.html (the same tables plus
// inline SVG plots read from the runs' metrics.jsonl and pseudo-label summaries).
#include "core/suite/report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/atomic_file.h"
#include "core/did_you_mean.h"
#include "core/engine/metrics_log.h"
#include "core/engine/pseudo_label_export.h"
#include "core/status.h"
#include "core/suite/svg_chart.h"
#include "simdjson.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;

constexpr char kSelfTrainingAxis[] = "self_training";
constexpr char kNoRun[] = "—";
constexpr char kDone[] = "done";
constexpr char kFailed[] = "failed";
constexpr char kLossTotal[] = "loss/total";
constexpr char kMeanHuman[] = "combiner/mean_human";
constexpr char kMeanPseudo[] = "combiner/mean_pseudo";
// The pseudo-label stage's metrics, and its labeler's operating point.
constexpr char kPseudoPrefix[] = "pseudo/";
constexpr char kPseudoPrecision[] = "pseudo/precision";
constexpr char kPseudoRecall[] = "pseudo/recall";

// Okabe-Ito (told apart with colour-vision deficiencies, yellow left out: too light
// on white), then a few more for many initializations.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                    "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#BCBD22"};

std::string Color(size_t index) { return kPalette[index % std::size(kPalette)]; }

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The run's level of `axis`, "" when the run lacks the axis.
std::string Level(const SuiteRunResult& run, const std::string& axis) {
  for (const auto& [name, level] : run.factors) {
    if (name == axis) return level;
  }
  return "";
}

std::vector<std::string> Key(const SuiteRunResult& run, const std::vector<std::string>& axes) {
  std::vector<std::string> key;
  key.reserve(axes.size());
  for (const std::string& axis : axes) key.push_back(Level(run, axis));
  return key;
}

// Every axis but "self_training": the first run's order, then axes only later runs have.
std::vector<std::string> AxesOf(const std::vector<SuiteRunResult>& runs) {
  std::vector<std::string> axes;
  for (const SuiteRunResult& run : runs) {
    for (const auto& [axis, level] : run.factors) {
      if (axis != kSelfTrainingAxis && !Contains(axes, axis)) axes.push_back(axis);
    }
  }
  return axes;
}

// Levels of `axis` in the order they first appear in `runs`.
std::vector<std::string> LevelsOf(const std::vector<SuiteRunResult>& runs,
                                  const std::string& axis) {
  std::vector<std::string> levels;
  for (const SuiteRunResult& run : runs) {
    const std::string level = Level(run, axis);
    if (!Contains(levels, level)) levels.push_back(level);
  }
  return levels;
}

// The distinct keys of `runs` over `axes`, ordered level by level (first axis
// outermost) in each level's order of first appearance.
std::vector<std::vector<std::string>> OrderedKeys(const std::vector<SuiteRunResult>& runs,
                                                  const std::vector<std::string>& axes) {
  std::vector<std::vector<std::string>> order;
  for (const std::string& axis : axes) order.push_back(LevelsOf(runs, axis));
  std::map<std::vector<size_t>, std::vector<std::string>> keys;
  for (const SuiteRunResult& run : runs) {
    std::vector<std::string> key = Key(run, axes);
    std::vector<size_t> rank;
    for (size_t i = 0; i < axes.size(); ++i) {
      rank.push_back(std::find(order[i].begin(), order[i].end(), key[i]) - order[i].begin());
    }
    keys.emplace(std::move(rank), std::move(key));
  }
  std::vector<std::vector<std::string>> ordered;
  for (auto& [rank, key] : keys) ordered.push_back(std::move(key));
  return ordered;
}

// "augment = S1 · labeled_fraction = 0.2"
std::string KeyTitle(const std::vector<std::string>& axes, const std::vector<std::string>& key) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < axes.size(); ++i) parts.push_back(absl::StrCat(axes[i], " = ", key[i]));
  return absl::StrJoin(parts, " · ");
}

std::optional<double> FiniteMetric(const Metrics& metrics, const std::string& name) {
  const auto it = metrics.find(name);
  if (it == metrics.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

struct Summary {
  int n = 0;
  double mean = 0;
  double std = 0;  // sample standard deviation; 0 for one value
};

Summary Summarize(const std::vector<double>& values) {
  Summary s;
  s.n = static_cast<int>(values.size());
  if (s.n == 0) return s;
  for (double v : values) s.mean += v;
  s.mean /= s.n;
  if (s.n > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(squares / (s.n - 1));
  }
  return s;
}

// Decimals to show `metric` and its differences with.
int Decimals(const std::vector<SuiteRunResult>& runs, const std::string& metric) {
  double largest = 0;
  bool unit_interval = true;
  for (const SuiteRunResult& run : runs) {
    if (run.status != kDone) continue;
    if (const std::optional<double> v = FiniteMetric(run.metrics, metric)) {
      largest = std::max(largest, std::abs(*v));
      unit_interval = unit_interval && *v >= 0 && *v <= 1;
    }
  }
  // NOTE: fractions (AP in [0, 1]) with 3 decimals as in the brief; percentages
  // (the paper's AP 41.1) with 1; anything else with 2.
  return unit_interval ? 3 : (largest >= 10 ? 1 : 2);
}

// Runs as the table and the plots group them.
struct Grid {
  std::vector<std::string> axes;      // every axis but "self_training"
  std::vector<std::string> row_axes;  // layout.rows, then unnamed axes
  bool has_columns = false;           // the column axis exists
  std::vector<std::string> column_levels;  // {""} without a column axis
  bool has_baseline = false;
  bool has_self_training = false;
  int decimals = 3;
};

Grid MakeGrid(const std::vector<SuiteRunResult>& runs, const SuiteReportLayout& layout) {
  Grid grid;
  grid.axes = AxesOf(runs);
  grid.has_columns = Contains(grid.axes, layout.columns);
  auto place_in_rows = [&](const std::string& axis) {
    return Contains(grid.axes, axis) && axis != layout.columns && !Contains(grid.row_axes, axis);
  };
  for (const std::string& axis : layout.rows) {
    if (place_in_rows(axis)) grid.row_axes.push_back(axis);
  }
  for (const std::string& axis : grid.axes) {
    if (place_in_rows(axis) && !Contains(layout.average, axis)) grid.row_axes.push_back(axis);
  }
  grid.column_levels = grid.has_columns ? LevelsOf(runs, layout.columns)
                                        : std::vector<std::string>{""};
  grid.has_baseline = grid.has_columns && Contains(grid.column_levels, layout.baseline);
  for (const SuiteRunResult& run : runs) {
    grid.has_self_training = grid.has_self_training || run.self_training;
  }
  grid.decimals = Decimals(runs, layout.metric);
  return grid;
}

// Summary of `metric` over the finished runs with these levels and self-training.
// Without self-training, when the suite has no such run, the self-training runs'
// teachers stand in: a teacher is the same training as the run without
// self-training would be (one stage).
Summary SummarizeRuns(const std::vector<SuiteRunResult>& runs,
                      const std::vector<std::string>& axes, const std::vector<std::string>& key,
                      bool self_training, const std::string& metric) {
  std::vector<double> values;
  for (const SuiteRunResult& run : runs) {
    if (run.status != kDone || run.self_training != self_training || Key(run, axes) != key) {
      continue;
    }
    if (const std::optional<double> v = FiniteMetric(run.metrics, metric)) values.push_back(*v);
  }
  if (self_training || !values.empty()) return Summarize(values);
  for (const SuiteRunResult& run : runs) {
    if (!run.self_training || Key(run, axes) != key) continue;
    if (const std::optional<double> v = FiniteMetric(run.teacher_metrics, metric)) {
      values.push_back(*v);
    }
  }
  return Summarize(values);
}

std::string FormatValue(const Summary& s, int decimals) {
  if (s.n == 0) return kNoRun;
  if (s.n == 1) return absl::StrFormat("%.*f", decimals, s.mean);
  return absl::StrFormat("%.*f ± %.*f", decimals, s.mean, decimals, s.std);
}

std::string FormatDelta(double delta, int decimals) {
  // Never "-0.000": a difference that rounds to zero is shown as +0.
  const double unit = std::pow(10.0, -decimals);
  if (std::abs(delta) < unit / 2) delta = 0;
  return absl::StrFormat("%+.*f", decimals, delta);
}

struct TableCell {
  std::string value;            // "0.227 ± 0.004" or "—"
  std::optional<double> delta;  // difference to the baseline, or self-training's gain
};

struct Table {
  std::vector<std::string> header;  // row axes, then the cell columns
  std::vector<std::vector<std::string>> row_keys;
  std::vector<std::vector<TableCell>> cells;
};

std::string ColumnTitle(const Grid& grid, const SuiteReportLayout& layout,
                        const std::string& level, bool self_training) {
  const std::string name = grid.has_columns ? level : layout.metric;
  return self_training ? absl::StrCat(name, " + ST") : name;
}

Table MakeTable(const std::vector<SuiteRunResult>& runs, const SuiteReportLayout& layout,
                const Grid& grid) {
  Table table;
  table.header = grid.row_axes;
  for (const std::string& level : grid.column_levels) {
    table.header.push_back(ColumnTitle(grid, layout, level, false));
    if (grid.has_self_training) table.header.push_back(ColumnTitle(grid, layout, level, true));
  }
  std::vector<std::string> cell_axes = grid.row_axes;
  if (grid.has_columns) cell_axes.push_back(layout.columns);
  auto cell_key = [&](std::vector<std::string> row, const std::string& level) {
    if (grid.has_columns) row.push_back(level);
    return row;
  };
  table.row_keys = OrderedKeys(runs, grid.row_axes);
  for (const std::vector<std::string>& row : table.row_keys) {
    std::vector<TableCell>& cells = table.cells.emplace_back();
    const Summary baseline = grid.has_baseline
                                 ? SummarizeRuns(runs, cell_axes, cell_key(row, layout.baseline),
                                                 false, layout.metric)
                                 : Summary{};
    for (const std::string& level : grid.column_levels) {
      const Summary plain =
          SummarizeRuns(runs, cell_axes, cell_key(row, level), false, layout.metric);
      TableCell& cell = cells.emplace_back();
      cell.value = FormatValue(plain, grid.decimals);
      if (plain.n > 0 && baseline.n > 0 && level != layout.baseline) {
        cell.delta = plain.mean - baseline.mean;
      }
      if (!grid.has_self_training) continue;
      const Summary student =
          SummarizeRuns(runs, cell_axes, cell_key(row, level), true, layout.metric);
      TableCell& st_cell = cells.emplace_back();
      st_cell.value = FormatValue(student, grid.decimals);
      if (student.n > 0 && plain.n > 0) st_cell.delta = student.mean - plain.mean;
    }
  }
  return table;
}

// What a cell means, in one paragraph.
std::string Notation(const SuiteReportLayout& layout, const Grid& grid) {
  std::string text = absl::StrCat("Each cell: mean ± sample standard deviation of ",
                                  layout.metric);
  if (!layout.average.empty()) absl::StrAppend(&text, " over ", absl::StrJoin(layout.average, ", "));
  absl::StrAppend(&text, " (± shown with more than one run).");
  if (grid.has_baseline) {
    absl::StrAppend(&text, " In parentheses under each ", layout.columns,
                    ": the difference to ", layout.baseline, " in the same row.");
  }
  if (grid.has_self_training) {
    absl::StrAppend(&text, " \"+ ST\": with self-training, in parentheses its gain over the same ",
                    grid.has_columns ? layout.columns : "column",
                    " without (where the suite has no run without self-training, its "
                    "teachers: the same training).");
  }
  absl::StrAppend(&text, " ", kNoRun, ": no finished run.");
  return text;
}

// "init=supervised, labeled_fraction=0.2, seed=1"
std::string RunName(const SuiteRunResult& run) {
  std::vector<std::string> parts;
  bool named_self_training = false;
  for (const auto& [axis, level] : run.factors) {
    parts.push_back(absl::StrCat(axis, "=", level));
    named_self_training = named_self_training || axis == kSelfTrainingAxis;
  }
  if (!named_self_training && run.self_training) parts.push_back("self_training=true");
  return parts.empty() ? "(no factors)" : absl::StrJoin(parts, ", ");
}

// "16 runs: 14 done, 1 failed, 1 pending."
std::string StatusLine(const std::vector<SuiteRunResult>& runs) {
  std::vector<std::string> statuses;
  std::map<std::string, int> counts;
  for (const SuiteRunResult& run : runs) {
    if (counts[run.status]++ == 0) statuses.push_back(run.status);
  }
  std::vector<std::string> parts;
  for (const std::string& status : statuses) {
    parts.push_back(absl::StrCat(counts[status], " ", status.empty() ? "(no status)" : status));
  }
  return absl::StrCat(runs.size(), runs.size() == 1 ? " run" : " runs",
                      parts.empty() ? "" : ": ", absl::StrJoin(parts, ", "), ".");
}

// ---- claims: the text of their tables, shared by results.md and report.html ----

std::string ClaimDescription(const SuiteClaim& claim) {
  const std::string difference =
      absl::StrCat(claim.metric, "(", claim.axis, " = ", claim.treatment, ") − ", claim.metric,
                   "(", claim.axis, " = ", claim.control, ")");
  std::string text = claim.across ? absl::StrCat("d = [", difference, "] at ", claim.across->axis,
                                                 " = ", claim.across->to, " − the same at ",
                                                 claim.across->axis, " = ", claim.across->from)
                                  : absl::StrCat("d = ", difference);
  absl::StrAppend(&text, " for each seed; expected: ", ClaimExpectationName(claim.expect), " (d ",
                  claim.expect == ClaimExpectation::kIncrease ? ">" : "<", " 0)");
  if (!claim.where.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [axis, level] : claim.where) pairs.push_back(absl::StrCat(axis, " = ", level));
    absl::StrAppend(&text, "; only runs with ", absl::StrJoin(pairs, ", "));
  }
  return absl::StrCat(text, ".");
}

std::string ClaimsNotation() {
  return absl::StrCat(
      "A cell is a combination of the axes a claim neither compares, goes across, fixes nor "
      "pairs by (", kClaimSeedAxis, "). Over its seeds, with e = d for an expected increase "
      "and e = −d for a decrease: supported when mean(e) − std(e) > 0, contradicted when "
      "mean(e) + std(e) < 0, otherwise (or with fewer than 3 seeds) inconclusive; std is the "
      "sample standard deviation. A claim is supported when every cell is, contradicted when "
      "any cell is, otherwise inconclusive.");
}

const std::vector<std::string>& ClaimSummaryHeader() {
  static const std::vector<std::string> header = {"claim", "metric", "verdict",
                                                  "cells supported", "contradicted",
                                                  "inconclusive"};
  return header;
}

std::vector<std::string> ClaimSummaryRow(const ClaimResult& result) {
  return {result.claim.name, result.claim.metric, ClaimVerdictName(result.verdict),
          absl::StrCat(result.supported), absl::StrCat(result.contradicted),
          absl::StrCat(result.inconclusive)};
}

// Every seed of the claim's cells, in order of appearance.
std::vector<std::string> ClaimSeeds(const ClaimResult& result) {
  std::vector<std::string> seeds;
  for (const ClaimCellResult& cell : result.cells) {
    for (const auto& [seed, d] : cell.effects) {
      if (!Contains(seeds, seed)) seeds.push_back(seed);
    }
    for (const std::string& seed : cell.missing_seeds) {
      if (!Contains(seeds, seed)) seeds.push_back(seed);
    }
  }
  return seeds;
}

std::vector<std::string> ClaimCellHeader(const std::vector<std::string>& seeds) {
  std::vector<std::string> header = {"cell", "n", "mean d", "std d", "verdict"};
  for (const std::string& seed : seeds) header.push_back(absl::StrCat("d ", kClaimSeedAxis, " ", seed));
  return header;
}

std::string CellVerdict(const ClaimCellResult& cell) {
  const std::string verdict = ClaimVerdictName(cell.verdict);
  return cell.note.empty() ? verdict : absl::StrCat(verdict, " (", cell.note, ")");
}

// Title, n, mean d, std d, verdict, then each seed's d ("missing"; "" when the cell
// lacks the seed).
std::vector<std::string> ClaimCellRow(const ClaimCellResult& cell,
                                      const std::vector<std::string>& seeds, int decimals) {
  std::vector<std::string> row = {
      cell.Title(), absl::StrCat(cell.n),
      cell.n > 0 ? FormatDelta(cell.mean, decimals) : kNoRun,
      cell.n > 1 ? absl::StrFormat("%.*f", decimals, cell.std) : kNoRun, CellVerdict(cell)};
  for (const std::string& seed : seeds) {
    auto effect = std::find_if(cell.effects.begin(), cell.effects.end(),
                               [&](const auto& e) { return e.first == seed; });
    if (effect != cell.effects.end()) {
      row.push_back(FormatDelta(effect->second, decimals));
    } else {
      row.push_back(Contains(cell.missing_seeds, seed) ? "missing" : "");
    }
  }
  return row;
}

// ---- results.csv ----

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos &&
      (text.empty() || (text.front() != ' ' && text.back() != ' '))) {
    return text;
  }
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

// Shortest text that reads back as the same double.
std::string CsvNumber(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return error == std::errc() ? std::string(buffer, end) : absl::StrFormat("%.17g", value);
}

std::string ResultsCsv(const std::vector<SuiteRunResult>& runs, const SuiteReportLayout& layout,
                       const Grid& grid) {
  std::set<std::string> metric_names;
  std::set<std::string> pseudo_names;
  for (const SuiteRunResult& run : runs) {
    for (const auto& [name, value] : run.metrics) metric_names.insert(name);
    for (const auto& [name, value] : run.pseudo_label_metrics) {
      if (name.rfind(kPseudoPrefix, 0) == 0) pseudo_names.insert(name);
    }
  }
  std::vector<std::string> header = grid.axes;
  header.push_back(kSelfTrainingAxis);
  header.push_back("status");
  header.insert(header.end(), metric_names.begin(), metric_names.end());
  header.push_back(absl::StrCat("teacher_", layout.metric));
  header.push_back("log");
  // NOTE: after `log`, so that the columns of suites without self-training (and of
  // reports written before these columns existed) keep their places.
  header.insert(header.end(), pseudo_names.begin(), pseudo_names.end());
  std::string csv;
  auto append_row = [&](const std::vector<std::string>& fields) {
    std::vector<std::string> quoted;
    for (const std::string& field : fields) quoted.push_back(CsvField(field));
    absl::StrAppend(&csv, absl::StrJoin(quoted, ","), "\n");
  };
  append_row(header);
  for (const SuiteRunResult& run : runs) {
    std::vector<std::string> row = Key(run, grid.axes);
    row.push_back(run.self_training ? "true" : "false");
    row.push_back(run.status);
    for (const std::string& name : metric_names) {
      const auto it = run.metrics.find(name);
      row.push_back(it == run.metrics.end() ? "" : CsvNumber(it->second));
    }
    const auto teacher = run.teacher_metrics.find(layout.metric);
    row.push_back(teacher == run.teacher_metrics.end() ? "" : CsvNumber(teacher->second));
    row.push_back(run.log.string());
    for (const std::string& name : pseudo_names) {
      const auto it = run.pseudo_label_metrics.find(name);
      row.push_back(it == run.pseudo_label_metrics.end() ? "" : CsvNumber(it->second));
    }
    append_row(row);
  }
  return csv;
}

// ---- results.md ----

std::string MarkdownEscape(const std::string& text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}});
}

std::string ResultsMarkdown(const std::string& suite_name, const std::vector<SuiteRunResult>& runs,
                            const SuiteReportLayout& layout, const Grid& grid,
                            const Table& table) {
  std::string md = absl::StrCat("# ", suite_name, "\n\n", StatusLine(runs), "\n\n");
  std::vector<std::string> header;
  std::vector<std::string> rule;
  for (size_t i = 0; i < table.header.size(); ++i) {
    header.push_back(MarkdownEscape(table.header[i]));
    rule.push_back(i < grid.row_axes.size() ? "---" : "---:");
  }
  if (header.empty()) return absl::StrCat(md, "No runs.\n");
  absl::StrAppend(&md, "| ", absl::StrJoin(header, " | "), " |\n|", absl::StrJoin(rule, "|"),
                  "|\n");
  for (size_t r = 0; r < table.row_keys.size(); ++r) {
    std::vector<std::string> fields;
    for (const std::string& level : table.row_keys[r]) fields.push_back(MarkdownEscape(level));
    for (const TableCell& cell : table.cells[r]) {
      fields.push_back(cell.delta ? absl::StrCat(cell.value, " (",
                                                 FormatDelta(*cell.delta, grid.decimals), ")")
                                  : cell.value);
    }
    absl::StrAppend(&md, "| ", absl::StrJoin(fields, " | "), " |\n");
  }
  absl::StrAppend(&md, "\n", Notation(layout, grid), "\n");
  bool any_failed = false;
  for (const SuiteRunResult& run : runs) {
    if (run.status != kFailed) continue;
    if (!any_failed) absl::StrAppend(&md, "\nFailed runs:\n\n");
    any_failed = true;
    absl::StrAppend(&md, "- ", MarkdownEscape(RunName(run)), ": log `", run.log.string(), "`\n");
  }
  return md;
}

// A Markdown table; column i is left-aligned where left_aligned[i] is 'l', else
// right-aligned (numbers).
std::string MarkdownTable(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows,
                          const std::string& left_aligned) {
  std::vector<std::string> escaped;
  std::vector<std::string> rule;
  for (size_t i = 0; i < header.size(); ++i) {
    escaped.push_back(MarkdownEscape(header[i]));
    rule.push_back(i < left_aligned.size() && left_aligned[i] == 'l' ? "---" : "---:");
  }
  std::string md = absl::StrCat("| ", absl::StrJoin(escaped, " | "), " |\n|",
                                absl::StrJoin(rule, "|"), "|\n");
  for (const std::vector<std::string>& row : rows) {
    escaped.clear();
    for (const std::string& field : row) escaped.push_back(MarkdownEscape(field));
    absl::StrAppend(&md, "| ", absl::StrJoin(escaped, " | "), " |\n");
  }
  return md;
}

// "## Claims": one row per claim, and what a verdict means.
std::string ClaimsSummaryMarkdown(const std::vector<ClaimResult>& claims) {
  std::vector<std::vector<std::string>> rows;
  for (const ClaimResult& result : claims) rows.push_back(ClaimSummaryRow(result));
  return absl::StrCat("## Claims\n\n", MarkdownTable(ClaimSummaryHeader(), rows, "lll"), "\n",
                      ClaimsNotation(), "\n");
}

// A section per claim: what d is, and a row per cell.
std::string ClaimDetailsMarkdown(const std::vector<SuiteRunResult>& runs,
                                 const std::vector<ClaimResult>& claims) {
  std::string md;
  for (const ClaimResult& result : claims) {
    const std::vector<std::string> seeds = ClaimSeeds(result);
    const int decimals = Decimals(runs, result.claim.metric);
    std::vector<std::vector<std::string>> rows;
    for (const ClaimCellResult& cell : result.cells) rows.push_back(ClaimCellRow(cell, seeds, decimals));
    absl::StrAppend(&md, "\n### ", result.claim.name, "\n\n", ClaimDescription(result.claim),
                    " Verdict: ", ClaimVerdictName(result.verdict), ".\n\n");
    absl::StrAppend(&md, MarkdownTable(ClaimCellHeader(seeds), rows, "lrrrl"));
  }
  return md;
}

// claims.json: the claims and their cells, machine-readable.
std::string ClaimsJson(const std::vector<ClaimResult>& claims) {
  auto optional_number = [](bool present, double value) {
    return present ? JsonNumber(value) : std::string("null");
  };
  std::vector<std::string> entries;
  for (const ClaimResult& result : claims) {
    const SuiteClaim& claim = result.claim;
    std::vector<std::string> where;
    for (const auto& [axis, level] : claim.where) {
      where.push_back(absl::StrCat(JsonString(axis), ": ", JsonString(level)));
    }
    std::vector<std::string> cells;
    for (const ClaimCellResult& cell : result.cells) {
      std::vector<std::string> factors;
      for (const auto& [axis, level] : cell.factors) {
        factors.push_back(absl::StrCat(JsonString(axis), ": ", JsonString(level)));
      }
      std::vector<std::string> effects;
      for (const auto& [seed, d] : cell.effects) {
        effects.push_back(absl::StrCat("{\"seed\": ", JsonString(seed), ", \"d\": ", JsonNumber(d), "}"));
      }
      std::vector<std::string> missing;
      for (const std::string& seed : cell.missing_seeds) missing.push_back(JsonString(seed));
      cells.push_back(absl::StrCat(
          "    {\"title\": ", JsonString(cell.Title()), ", \"factors\": {",
          absl::StrJoin(factors, ", "), "}, \"n\": ", cell.n,
          ", \"mean_d\": ", optional_number(cell.n > 0, cell.mean),
          ", \"std_d\": ", optional_number(cell.n > 1, cell.std),
          ", \"verdict\": ", JsonString(ClaimVerdictName(cell.verdict)),
          ", \"note\": ", JsonString(cell.note), ", \"effects\": [", absl::StrJoin(effects, ", "),
          "], \"missing_seeds\": [", absl::StrJoin(missing, ", "), "]}"));
    }
    const std::string across =
        claim.across ? absl::StrCat("{\"axis\": ", JsonString(claim.across->axis),
                                    ", \"from\": ", JsonString(claim.across->from),
                                    ", \"to\": ", JsonString(claim.across->to), "}")
                     : "null";
    entries.push_back(absl::StrCat(
        "  {\"name\": ", JsonString(claim.name), ", \"metric\": ", JsonString(claim.metric),
        ", \"compare\": {\"axis\": ", JsonString(claim.axis),
        ", \"treatment\": ", JsonString(claim.treatment),
        ", \"control\": ", JsonString(claim.control), "}, \"across\": ", across,
        ", \"where\": {", absl::StrJoin(where, ", "), "}, \"expect\": ",
        JsonString(ClaimExpectationName(claim.expect)),
        ",\n   \"verdict\": ", JsonString(ClaimVerdictName(result.verdict)),
        ", \"cells_supported\": ", result.supported,
        ", \"cells_contradicted\": ", result.contradicted,
        ", \"cells_inconclusive\": ", result.inconclusive, ", \"cells\": [",
        cells.empty() ? "" : absl::StrCat("\n", absl::StrJoin(cells, ",\n"), "\n  "), "]}"));
  }
  return absl::StrCat("{\"claims\": [", entries.empty() ? "" : "\n",
                      absl::StrJoin(entries, ",\n"), entries.empty() ? "" : "\n", "]}\n");
}

// ---- report.html ----

constexpr char kStyle[] = R"css(
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --head: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 28px 32px 48px; }
header h1 { font-size: 28px; margin: 0 0 2px; }
header p { margin: 0; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 20px 24px 24px; margin: 20px 0; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.04); }
h2 { font-size: 19px; margin: 0 0 6px; }
p.note { color: var(--muted); font-size: 13px; margin: 4px 0 14px; max-width: 980px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: right;
  white-space: nowrap; }
th { background: var(--head); font-weight: 600; border-bottom: 2px solid #d1d5db; }
th.key, td.key { text-align: left; }
td.key { font-weight: 600; }
th.st, td.st { background: #f5f9ff; }
tbody tr:hover td { background: #eef2f7; }
td.missing { color: #9ca3af; }
.delta { display: block; font-size: 12px; line-height: 1.2; }
tr.group td { border-top: 2px solid #d1d5db; }
.up { color: #047857; }
.down { color: #b91c1c; }
.flat { color: var(--muted); }
ul.failed { margin: 8px 0 0; padding-left: 20px; font-size: 14px; }
ul.failed code { background: #fef2f2; color: #991b1b; padding: 1px 5px; border-radius: 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 20px; margin: 0 0 12px; font-size: 13px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(390px, 1fr)); gap: 16px; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
svg.chart { width: 100%; height: auto; display: block; border: 1px solid var(--line);
  border-radius: 6px; }
p.empty { color: var(--muted); font-style: italic; }
th.text, td.text { text-align: left; }
h3 { font-size: 16px; margin: 22px 0 4px; }
div.pseudo p.title { font-weight: 600; font-size: 14px; margin: 0 0 6px; }
div.pseudo p.caption { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
ul.notes { margin: 8px 0 0; padding-left: 20px; font-size: 13px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; }
)css";

struct LegendEntry {
  std::string label;
  std::string color;
  bool dashed = false;
};

std::string LegendHtml(const std::vector<LegendEntry>& entries) {
  std::string html = "<div class=\"legend\">";
  for (const LegendEntry& e : entries) {
    absl::StrAppend(&html, "<span><svg width=\"30\" height=\"12\" aria-hidden=\"true\"><line x1=\"1\" "
                           "y1=\"6\" x2=\"29\" y2=\"6\" stroke=\"",
                    e.color, "\" stroke-width=\"2.5\"",
                    e.dashed ? " stroke-dasharray=\"7 4\"" : "", "/></svg>",
                    HtmlEscape(e.label), "</span>");
  }
  return absl::StrCat(html, "</div>\n");
}

std::string TableHtml(const std::vector<SuiteRunResult>& runs, const SuiteReportLayout& layout,
                      const Grid& grid, const Table& table) {
  std::string html = "<div class=\"table-wrap\"><table>\n<thead><tr>";
  const size_t keys = grid.row_axes.size();
  for (size_t i = 0; i < table.header.size(); ++i) {
    const bool st = i >= keys && grid.has_self_training && (i - keys) % 2 == 1;
    absl::StrAppend(&html, "<th", i < keys ? " class=\"key\"" : (st ? " class=\"st\"" : ""), ">",
                    HtmlEscape(table.header[i]), "</th>");
  }
  absl::StrAppend(&html, "</tr></thead>\n<tbody>\n");
  for (size_t r = 0; r < table.row_keys.size(); ++r) {
    // Like the paper's tables: a level is written where it changes, and a change of
    // the outermost row axis starts a new group.
    const std::vector<std::string>& key = table.row_keys[r];
    const std::vector<std::string>* previous = r > 0 ? &table.row_keys[r - 1] : nullptr;
    const bool new_group = previous != nullptr && key.size() > 1 && (*previous)[0] != key[0];
    absl::StrAppend(&html, new_group ? "<tr class=\"group\">" : "<tr>");
    bool changed = previous == nullptr;
    for (size_t k = 0; k < key.size(); ++k) {
      changed = changed || (*previous)[k] != key[k];
      absl::StrAppend(&html, "<td class=\"key\">", changed ? HtmlEscape(key[k]) : "", "</td>");
    }
    for (size_t c = 0; c < table.cells[r].size(); ++c) {
      const TableCell& cell = table.cells[r][c];
      std::vector<std::string> classes;
      if (grid.has_self_training && c % 2 == 1) classes.push_back("st");
      if (cell.value == kNoRun) classes.push_back("missing");
      absl::StrAppend(&html, "<td",
                      classes.empty() ? ""
                                      : absl::StrCat(" class=\"", absl::StrJoin(classes, " "), "\""),
                      ">", HtmlEscape(cell.value));
      if (cell.delta) {
        const std::string text = FormatDelta(*cell.delta, grid.decimals);
        const bool zero = text.find_first_not_of("+-0.") == std::string::npos;
        absl::StrAppend(&html, "<span class=\"delta ",
                        zero ? "flat" : (*cell.delta > 0 ? "up" : "down"), "\">(", text,
                        ")</span>");
      }
      absl::StrAppend(&html, "</td>");
    }
    absl::StrAppend(&html, "</tr>\n");
  }
  absl::StrAppend(&html, "</tbody></table></div>\n<p class=\"note\">",
                  HtmlEscape(Notation(layout, grid)), "</p>\n");
  bool any_failed = false;
  for (const SuiteRunResult& run : runs) {
    if (run.status != kFailed) continue;
    if (!any_failed) absl::StrAppend(&html, "<h3>Failed runs</h3><ul class=\"failed\">\n");
    any_failed = true;
    absl::StrAppend(&html, "<li>", HtmlEscape(RunName(run)), ": log <code>",
                    HtmlEscape(run.log.string()), "</code></li>\n");
  }
  if (any_failed) absl::StrAppend(&html, "</ul>\n");
  return html;
}

// Plot a: the metric against the x axis, a panel per combination of the other row axes.
std::string MetricPlotsHtml(const std::vector<SuiteRunResult>& runs,
                            const SuiteReportLayout& layout, const Grid& grid) {
  std::string html = absl::StrCat("<section>\n<h2>", HtmlEscape(layout.metric), " against ",
                                  HtmlEscape(layout.x), "</h2>\n");
  if (!Contains(grid.row_axes, layout.x)) {
    return absl::StrCat(html, "<p class=\"empty\">The suite does not vary ", HtmlEscape(layout.x),
                        " across rows: no plot.</p>\n</section>\n");
  }
  std::vector<std::string> panel_axes;
  for (const std::string& axis : grid.row_axes) {
    if (axis != layout.x) panel_axes.push_back(axis);
  }
  // Numeric x levels at their values, otherwise evenly spaced in order of appearance.
  std::vector<std::string> x_levels = LevelsOf(runs, layout.x);
  std::vector<double> x_values;
  for (const std::string& level : x_levels) {
    double value = 0;
    if (!absl::SimpleAtod(level, &value) || !std::isfinite(value)) break;
    x_values.push_back(value);
  }
  const bool numeric = x_values.size() == x_levels.size();
  std::vector<size_t> order(x_levels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (numeric) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return x_values[a] < x_values[b]; });
  }
  ChartOptions options;
  options.x_label = layout.x;
  options.y_label = layout.metric;
  options.width = 560;
  options.height = 360;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    options.x_ticks.emplace_back(numeric ? x_values[i] : static_cast<double>(k), x_levels[i]);
  }

  std::vector<LegendEntry> legend;
  for (size_t c = 0; c < grid.column_levels.size(); ++c) {
    legend.push_back({ColumnTitle(grid, layout, grid.column_levels[c], false), Color(c), false});
    if (grid.has_self_training) {
      legend.push_back({ColumnTitle(grid, layout, grid.column_levels[c], true), Color(c), true});
    }
  }
  absl::StrAppend(&html, "<p class=\"note\">Mean over ",
                  HtmlEscape(layout.average.empty() ? std::string("runs")
                                                    : absl::StrJoin(layout.average, ", ")),
                  "; error bars: ± one standard deviation (with more than one run). Solid: "
                  "without self-training; dashed: with self-training.</p>\n",
                  LegendHtml(legend), "<div class=\"grid wide\">\n");

  std::vector<std::string> cell_axes = panel_axes;
  cell_axes.push_back(layout.x);
  if (grid.has_columns) cell_axes.push_back(layout.columns);
  for (const std::vector<std::string>& panel : OrderedKeys(runs, panel_axes)) {
    std::vector<ChartSeries> series;
    for (size_t c = 0; c < grid.column_levels.size(); ++c) {
      for (const bool self_training : {false, true}) {
        if (self_training && !grid.has_self_training) continue;
        ChartSeries s;
        s.color = Color(c);
        s.dashed = self_training;
        s.markers = true;
        for (size_t k = 0; k < order.size(); ++k) {
          std::vector<std::string> key = panel;
          key.push_back(x_levels[order[k]]);
          if (grid.has_columns) key.push_back(grid.column_levels[c]);
          const Summary summary = SummarizeRuns(runs, cell_axes, key, self_training, layout.metric);
          if (summary.n == 0) continue;
          s.x.push_back(options.x_ticks[k].first);
          s.y.push_back(summary.mean);
          s.error.push_back(summary.n > 1 ? summary.std : 0.0);
        }
        if (!s.x.empty()) series.push_back(std::move(s));
      }
    }
    options.title = panel_axes.empty()
                        ? absl::StrCat(layout.metric, " against ", layout.x)
                        : KeyTitle(panel_axes, panel);
    absl::StrAppend(&html, LineChartSvg(series, options));
  }
  return absl::StrCat(html, "</div>\n</section>\n");
}

// Curves of one run's last training stage: name -> (iterations, values).
using Curve = std::pair<std::vector<double>, std::vector<double>>;

// The "train" lines of `train_dir`/metrics.jsonl; a missing file gives no curves, and
// unreadable lines (a stage writing its last line) are skipped.
std::map<std::string, Curve> ReadTrainCurves(const fs::path& train_dir) {
  std::map<std::string, Curve> curves;
  if (train_dir.empty()) return curves;
  std::ifstream in(train_dir / "metrics.jsonl");
  if (!in) return curves;
  static const std::set<std::string> kWanted = {kLossTotal, kMeanHuman, kMeanPseudo};
  simdjson::dom::parser parser;
  std::string line;
  std::vector<std::pair<double, std::pair<std::string, double>>> points;
  while (std::getline(in, line)) {
    simdjson::dom::object object;
    if (parser.parse(line).get_object().get(object) != simdjson::SUCCESS) continue;
    std::string_view kind;
    double iteration = 0;
    if (object["kind"].get_string().get(kind) != simdjson::SUCCESS || kind != "train" ||
        object["iteration"].get_double().get(iteration) != simdjson::SUCCESS) {
      continue;
    }
    for (const simdjson::dom::key_value_pair field : object) {
      const std::string key(field.key);
      double value = 0;
      if (!kWanted.count(key) || field.value.get_double().get(value) != simdjson::SUCCESS) continue;
      points.push_back({iteration, {key, value}});
    }
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [iteration, named] : points) {
    Curve& curve = curves[named.first];
    curve.first.push_back(iteration);
    curve.second.push_back(named.second);
  }
  return curves;
}

// Logarithmic when the curves are positive and span more than a factor of 20.
bool WantsLogScale(const std::vector<ChartSeries>& series) {
  double low = INFINITY, high = 0;
  for (const ChartSeries& s : series) {
    for (double y : s.y) {
      if (!std::isfinite(y)) continue;
      if (y <= 0) return false;
      low = std::min(low, y);
      high = std::max(high, y);
    }
  }
  return std::isfinite(low) && high / low > 20;
}

// One panel per table row with a line per run: plot b (curve names {loss/total}) and
// plot c (the combiner's running means, human solid and pseudo dashed).
std::string CurvePlotsHtml(const std::vector<SuiteRunResult>& runs,
                           const SuiteReportLayout& layout, const Grid& grid,
                           const std::vector<std::map<std::string, Curve>>& curves,
                           const std::vector<std::string>& names, const std::string& heading,
                           const std::string& note, const std::string& y_label,
                           const std::string& empty) {
  std::string html = absl::StrCat("<section>\n<h2>", HtmlEscape(heading), "</h2>\n");
  std::map<std::pair<size_t, size_t>, LegendEntry> legend;  // by (column level, style)
  std::string panels;
  for (const std::vector<std::string>& row : OrderedKeys(runs, grid.row_axes)) {
    std::vector<ChartSeries> series;
    for (size_t r = 0; r < runs.size(); ++r) {
      if (Key(runs[r], grid.row_axes) != row) continue;
      const size_t c = grid.has_columns
                           ? std::find(grid.column_levels.begin(), grid.column_levels.end(),
                                       Level(runs[r], layout.columns)) -
                                 grid.column_levels.begin()
                           : 0;
      for (size_t n = 0; n < names.size(); ++n) {
        const auto it = curves[r].find(names[n]);
        if (it == curves[r].end()) continue;
        // One curve name: dashed marks self-training; several: dashed marks the second.
        const bool dashed = names.size() == 1 ? runs[r].self_training : n == 1;
        ChartSeries s;
        s.color = Color(c);
        s.dashed = dashed;
        s.opacity = 0.85;
        s.x = it->second.first;
        s.y = it->second.second;
        series.push_back(std::move(s));
        const size_t style = names.size() == 1 ? (dashed ? 1 : 0) : n;
        if (!legend.count({c, style})) {
          // Without a column axis the colour says nothing: name the line style only.
          const std::string column = grid.has_columns ? grid.column_levels[c] : "runs";
          legend[{c, style}] = {names.size() == 1 ? absl::StrCat(column, dashed ? " + ST" : "")
                                                  : absl::StrCat(column, ": ", names[n]),
                                Color(c), dashed};
        }
      }
    }
    if (series.empty()) continue;
    ChartOptions options;
    options.title = grid.row_axes.empty() ? heading : KeyTitle(grid.row_axes, row);
    options.x_label = "iteration";
    options.y_label = y_label;
    options.log_y = WantsLogScale(series);
    absl::StrAppend(&panels, LineChartSvg(series, options));
  }
  if (panels.empty()) {
    return absl::StrCat(html, "<p class=\"empty\">", HtmlEscape(empty), "</p>\n</section>\n");
  }
  std::vector<LegendEntry> entries;
  for (auto& [order, entry] : legend) entries.push_back(std::move(entry));
  return absl::StrCat(html, "<p class=\"note\">", HtmlEscape(note), "</p>\n", LegendHtml(entries),
                      "<div class=\"grid\">\n", panels, "</div>\n</section>\n");
}

// A table of text; column i left-aligned where left_aligned[i] is 'l'. The column
// `verdict_column` (npos: none) is coloured by `verdicts`, one per row.
std::string TextTableHtml(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows,
                          const std::string& left_aligned, size_t verdict_column = std::string::npos,
                          const std::vector<ClaimVerdict>& verdicts = {}) {
  auto left = [&](size_t i) { return i < left_aligned.size() && left_aligned[i] == 'l'; };
  std::string html = "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    absl::StrAppend(&html, left(i) ? "<th class=\"text\">" : "<th>", HtmlEscape(header[i]), "</th>");
  }
  absl::StrAppend(&html, "</tr></thead>\n<tbody>\n");
  for (size_t r = 0; r < rows.size(); ++r) {
    absl::StrAppend(&html, "<tr>");
    for (size_t i = 0; i < rows[r].size(); ++i) {
      std::vector<std::string> classes;
      if (left(i)) classes.push_back("text");
      if (i == verdict_column && r < verdicts.size()) {
        switch (verdicts[r]) {
          case ClaimVerdict::kSupported: classes.push_back("up"); break;
          case ClaimVerdict::kContradicted: classes.push_back("down"); break;
          case ClaimVerdict::kInconclusive: classes.push_back("flat"); break;
        }
      }
      if (rows[r][i] == "missing") classes.push_back("missing");
      absl::StrAppend(&html, "<td",
                      classes.empty() ? ""
                                      : absl::StrCat(" class=\"", absl::StrJoin(classes, " "), "\""),
                      ">", HtmlEscape(rows[r][i]), "</td>");
    }
    absl::StrAppend(&html, "</tr>\n");
  }
  return absl::StrCat(html, "</tbody></table></div>\n");
}

// The claims: their verdicts, then each claim's cells.
std::string ClaimsHtml(const std::vector<SuiteRunResult>& runs,
                       const std::vector<ClaimResult>& claims) {
  std::string html = "<section>\n<h2>Claims</h2>\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<ClaimVerdict> verdicts;
  for (const ClaimResult& result : claims) {
    rows.push_back(ClaimSummaryRow(result));
    verdicts.push_back(result.verdict);
  }
  absl::StrAppend(&html, TextTableHtml(ClaimSummaryHeader(), rows, "lll", 2, verdicts),
                  "<p class=\"note\">", HtmlEscape(ClaimsNotation()), "</p>\n");
  for (const ClaimResult& result : claims) {
    const std::vector<std::string> seeds = ClaimSeeds(result);
    const int decimals = Decimals(runs, result.claim.metric);
    rows.clear();
    verdicts.clear();
    for (const ClaimCellResult& cell : result.cells) {
      rows.push_back(ClaimCellRow(cell, seeds, decimals));
      verdicts.push_back(cell.verdict);
    }
    absl::StrAppend(&html, "<h3>", HtmlEscape(result.claim.name), "</h3>\n<p class=\"note\">",
                    HtmlEscape(ClaimDescription(result.claim)), "</p>\n",
                    TextTableHtml(ClaimCellHeader(seeds), rows, "lrrrl", 4, verdicts));
  }
  return absl::StrCat(html, "</section>\n");
}

// What a pseudo-label summary says of the labels' quality against the ground truth
// hidden in the unlabeled images.
struct PseudoQuality {
  bool readable = false;     // The summary parsed as JSON.
  bool has_quality = false;  // It holds "quality".
  struct PrPoint {
    double threshold = 0;
    double precision = 0;
    double recall = 0;
  };
  std::vector<PrPoint> pr_curve;  // Detection.
  struct ClassQuality {
    std::string name;
    std::optional<double> coverage;
    std::optional<double> iou;
  };
  std::vector<ClassQuality> per_class;  // Segmentation.
};

PseudoQuality ReadPseudoQuality(const fs::path& summary) {
  PseudoQuality quality;
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.load(summary.string()).get(document) != simdjson::SUCCESS) return quality;
  quality.readable = true;
  simdjson::dom::object object;
  if (document["quality"].get_object().get(object) != simdjson::SUCCESS) return quality;
  quality.has_quality = true;
  simdjson::dom::array curve;
  if (object["pr_curve"].get_array().get(curve) == simdjson::SUCCESS) {
    for (const simdjson::dom::element point : curve) {
      PseudoQuality::PrPoint p;
      if (point["threshold"].get_double().get(p.threshold) != simdjson::SUCCESS ||
          point["precision"].get_double().get(p.precision) != simdjson::SUCCESS ||
          point["recall"].get_double().get(p.recall) != simdjson::SUCCESS) {
        continue;  // A threshold without boxes has no precision (null).
      }
      quality.pr_curve.push_back(p);
    }
  }
  simdjson::dom::object per_class;
  if (object["per_class"].get_object().get(per_class) == simdjson::SUCCESS) {
    for (const simdjson::dom::key_value_pair field : per_class) {
      PseudoQuality::ClassQuality c;
      c.name = std::string(field.key);
      double value = 0;
      if (field.value["coverage"].get_double().get(value) == simdjson::SUCCESS) c.coverage = value;
      if (field.value["iou"].get_double().get(value) == simdjson::SUCCESS) c.iou = value;
      quality.per_class.push_back(std::move(c));
    }
  }
  return quality;
}

// "init=random, labeled_fraction=0.2, seed=0": a self-training run without its
// self_training level, which every run here shares.
std::string LabelingTitle(const SuiteRunResult& run) {
  std::vector<std::string> parts;
  for (const auto& [axis, level] : run.factors) {
    if (axis != kSelfTrainingAxis) parts.push_back(absl::StrCat(axis, "=", level));
  }
  return parts.empty() ? "the run" : absl::StrJoin(parts, ", ");
}

// The run's pseudo/* metrics in one line.
std::string PseudoMetricsLine(const SuiteRunResult& run) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : run.pseudo_label_metrics) {
    if (name.rfind(kPseudoPrefix, 0) == 0) parts.push_back(absl::StrFormat("%s %.4g", name, value));
  }
  return absl::StrJoin(parts, " · ");
}

// Each self-training run's last pseudo labels against the hidden ground truth: a
// precision-recall curve over score thresholds with the labeler's operating point
// (detection), or per-class coverage and IoU (segmentation).
std::string PseudoLabelQualityHtml(const std::vector<SuiteRunResult>& runs) {
  std::string html = "<section>\n<h2>Pseudo-label quality</h2>\n";
  std::string panels;
  std::vector<std::string> notes;
  int without_quality = 0;
  bool any_labeling = false;
  bool any_curve = false;
  for (const SuiteRunResult& run : runs) {
    if (!run.self_training || run.pseudo_label_dir.empty()) continue;
    any_labeling = true;
    const fs::path summary = PseudoLabelFiles(run.pseudo_label_dir).summary();
    const PseudoQuality quality = ReadPseudoQuality(summary);
    const std::string title = LabelingTitle(run);
    if (!quality.readable) {
      notes.push_back(absl::StrCat(title, ": no readable summary (", summary.string(), ")"));
      continue;
    }
    if (!quality.has_quality) {
      ++without_quality;
      continue;
    }
    const std::string metrics_line = PseudoMetricsLine(run);
    if (!quality.pr_curve.empty()) {
      any_curve = true;
      ChartSeries curve;
      curve.color = Color(0);
      curve.markers = true;
      for (const PseudoQuality::PrPoint& p : quality.pr_curve) {
        curve.x.push_back(p.recall);
        curve.y.push_back(p.precision);
        curve.point_labels.push_back(absl::StrFormat("%g", p.threshold));
      }
      std::vector<ChartSeries> series = {std::move(curve)};
      const std::optional<double> precision = FiniteMetric(run.pseudo_label_metrics, kPseudoPrecision);
      const std::optional<double> recall = FiniteMetric(run.pseudo_label_metrics, kPseudoRecall);
      if (precision && recall) {
        ChartSeries point;
        point.color = Color(1);
        point.markers = true;
        point.x = {*recall};
        point.y = {*precision};
        series.push_back(std::move(point));
      }
      ChartOptions options;
      options.title = title;
      options.x_label = "recall";
      options.y_label = "precision";
      // Both axes over [0, 1]: the runs' curves compare at a glance.
      for (const double t : {0.0, 0.2, 0.4, 0.6, 0.8, 1.0}) {
        options.x_ticks.emplace_back(t, absl::StrFormat("%.1f", t));
        options.y_ticks.emplace_back(t, absl::StrFormat("%.1f", t));
      }
      absl::StrAppend(&panels, "<div class=\"pseudo\">", LineChartSvg(series, options),
                      "<p class=\"caption\">", HtmlEscape(metrics_line), "</p></div>\n");
    } else if (!quality.per_class.empty()) {
      auto number = [](const std::optional<double>& v) {
        return v && std::isfinite(*v) ? absl::StrFormat("%.3f", *v) : std::string(kNoRun);
      };
      std::vector<std::vector<std::string>> rows;
      for (const PseudoQuality::ClassQuality& c : quality.per_class) {
        rows.push_back({c.name, number(c.coverage), number(c.iou)});
      }
      absl::StrAppend(&panels, "<div class=\"pseudo\"><p class=\"title\">", HtmlEscape(title),
                      "</p>\n", TextTableHtml({"class", "coverage", "IoU"}, rows, "l"),
                      "<p class=\"caption\">", HtmlEscape(metrics_line), "</p></div>\n");
    } else {
      notes.push_back(absl::StrCat(title, ": the summary's quality has neither pr_curve nor per_class"));
    }
  }
  if (!any_labeling) {
    return absl::StrCat(html, "<p class=\"empty\">No pseudo-label stage has finished yet.</p>\n</section>\n");
  }
  absl::StrAppend(&html,
                  "<p class=\"note\">Each self-training run's last pseudo labels against the "
                  "ground truth hidden in its unlabeled images. Detection: precision against "
                  "recall of the pseudo boxes at each teacher-score threshold (points labelled "
                  "with the threshold), and the labeler's operating point. Segmentation: per "
                  "class, coverage (the share of its pixels that get a pseudo label) and IoU.</p>\n");
  if (any_curve) {
    absl::StrAppend(&html, LegendHtml({{"score thresholds", Color(0), false},
                                       {"operating point (pseudo/precision, pseudo/recall)", Color(1), false}}));
  }
  if (!panels.empty()) absl::StrAppend(&html, "<div class=\"grid\">\n", panels, "</div>\n");
  if (without_quality > 0) {
    notes.push_back(absl::StrCat(without_quality, without_quality == 1 ? " labeling" : " labelings",
                                 " without quality: the unlabeled images carry no ground truth"));
  }
  if (!notes.empty()) {
    absl::StrAppend(&html, "<ul class=\"notes\">\n");
    for (const std::string& note : notes) absl::StrAppend(&html, "<li>", HtmlEscape(note), "</li>\n");
    absl::StrAppend(&html, "</ul>\n");
  }
  return absl::StrCat(html, "</section>\n");
}

std::string ReportHtml(const std::string& suite_name, const std::vector<SuiteRunResult>& runs,
                       const SuiteReportLayout& layout, const Grid& grid, const Table& table,
                       const std::vector<ClaimResult>& claims) {
  std::vector<std::map<std::string, Curve>> curves;
  curves.reserve(runs.size());
  for (const SuiteRunResult& run : runs) curves.push_back(ReadTrainCurves(run.train_dir));

  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(suite_name), " · stlab suite report</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<main>\n<header><h1>", HtmlEscape(suite_name),
      "</h1><p>stlab suite report · ", HtmlEscape(StatusLine(runs)), "</p></header>\n");
  std::string table_title = layout.metric;
  if (!grid.row_axes.empty()) {
    absl::StrAppend(&table_title, " by ", absl::StrJoin(grid.row_axes, " × "));
  }
  if (grid.has_columns) {
    absl::StrAppend(&table_title, grid.row_axes.empty() ? " by " : " and ", layout.columns);
  }
  absl::StrAppend(&html, "<section>\n<h2>", HtmlEscape(table_title), "</h2>\n");
  if (table.header.empty()) {
    absl::StrAppend(&html, "<p class=\"empty\">No runs.</p>\n");
  } else {
    absl::StrAppend(&html, TableHtml(runs, layout, grid, table));
  }
  absl::StrAppend(&html, "</section>\n");
  if (!claims.empty()) absl::StrAppend(&html, ClaimsHtml(runs, claims));
  absl::StrAppend(&html, MetricPlotsHtml(runs, layout, grid));
  absl::StrAppend(
      &html,
      CurvePlotsHtml(runs, layout, grid, curves, {kLossTotal}, "Training loss",
                     "loss/total of each run's last training stage (the student's when "
                     "self-training), from its metrics.jsonl; one line per run. Solid: without "
                     "self-training; dashed: student with self-training.",
                     "loss/total",
                     "No training curves yet: no run's train_dir holds a metrics.jsonl with "
                     "loss/total."),
      CurvePlotsHtml(runs, layout, grid, curves, {kMeanHuman, kMeanPseudo},
                     "Loss normalization: running averages",
                     "The combiner's running means of the human and the pseudo-label loss "
                     "(combiner/mean_human solid, combiner/mean_pseudo dashed) of each student, "
                     "against iteration.",
                     "running mean of the loss",
                     "No student has logged combiner/mean_human or combiner/mean_pseudo yet."));
  if (grid.has_self_training) absl::StrAppend(&html, PseudoLabelQualityHtml(runs));
  absl::StrAppend(&html,
                  "<footer>Written by stlab: results.csv holds every run, results.md this "
                  "table and the claims, claims.json the claims.</footer>\n</main>\n</body>\n"
                  "</html>\n");
  return html;
}

absl::Status WriteReportFile(const fs::path& path, const std::string& contents) {
  return Annotate(WriteFileAtomically(path, contents),
                  absl::StrCat("cannot write suite report file '", path.string(), "'"));
}

// A misspelled report.metric (or claim metric) would leave every cell empty: once
// any run has finished, the metric must be one that finished runs report.
absl::Status CheckReportedMetrics(const std::vector<SuiteRunResult>& runs,
                                  const SuiteReportLayout& layout) {
  std::set<std::string> reported;
  for (const SuiteRunResult& run : runs) {
    for (const auto& [name, value] : run.metrics) reported.insert(name);
  }
  if (reported.empty()) return absl::OkStatus();
  auto check = [&](const std::string& metric, const std::string& key) -> absl::Status {
    if (reported.count(metric) > 0) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        key, " = \"", metric, "\" is not a metric of this suite's runs",
        DidYouMeanSuffix(metric, std::vector<std::string>(reported.begin(), reported.end())),
        "; they report: ", absl::StrJoin(reported, ", ")));
  };
  STLAB_RETURN_IF_ERROR(check(layout.metric, "report.metric"));
  for (const SuiteClaim& claim : layout.claims) {
    STLAB_RETURN_IF_ERROR(check(claim.metric, absl::StrCat("the metric of claim '", claim.name, "'")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> WriteSuiteReport(const std::string& suite_name,
                                             const std::vector<SuiteRunResult>& runs,
                                             const SuiteReportLayout& layout,
                                             const std::filesystem::path& dir) {
  STLAB_RETURN_IF_ERROR(CheckReportedMetrics(runs, layout));
  const Grid grid = MakeGrid(runs, layout);
  const Table table = MakeTable(runs, layout, grid);
  const std::vector<ClaimResult> claims = EvaluateClaims(layout.claims, runs);
  std::string console = ResultsMarkdown(suite_name, runs, layout, grid, table);
  if (!claims.empty()) absl::StrAppend(&console, "\n", ClaimsSummaryMarkdown(claims));
  STLAB_RETURN_IF_ERROR(WriteReportFile(dir / "results.csv", ResultsCsv(runs, layout, grid)));
  STLAB_RETURN_IF_ERROR(
      WriteReportFile(dir / "results.md", absl::StrCat(console, ClaimDetailsMarkdown(runs, claims))));
  STLAB_RETURN_IF_ERROR(WriteReportFile(dir / "claims.json", ClaimsJson(claims)));
  STLAB_RETURN_IF_ERROR(WriteReportFile(
      dir / "report.html", ReportHtml(suite_name, runs, layout, grid, table, claims)));
  return console;
}

}  // namespace stlab
