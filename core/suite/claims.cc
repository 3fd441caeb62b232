// EvaluateClaims: per cell and seed the paired effect d, its mean and sample
// standard deviation over seeds, the cell's verdict from the expected sign, and the
// claim's verdict over its cells.
#include "core/suite/claims.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/suite/report.h"

namespace stlab {
namespace {

constexpr char kDone[] = "done";
constexpr int kMinSeeds = 3;

// The runs d needs for one seed: (treatment, control) at `to` (or without
// `across`), then (treatment, control) at `from`.
constexpr size_t kTreatmentTo = 0;
constexpr size_t kControlTo = 1;
constexpr size_t kTreatmentFrom = 2;
constexpr size_t kControlFrom = 3;
using SeedRuns = std::array<const SuiteRunResult*, 4>;

// The run's level of `axis`, nullptr when the run lacks the axis.
const std::string* Level(const SuiteRunResult& run, const std::string& axis) {
  for (const auto& [name, level] : run.factors) {
    if (name == axis) return &level;
  }
  return nullptr;
}

bool Matches(const SuiteRunResult& run, const std::map<std::string, std::string>& where) {
  for (const auto& [axis, label] : where) {
    const std::string* level = Level(run, axis);
    if (level == nullptr || *level != label) return false;
  }
  return true;
}

// Which of SeedRuns `run` is for `claim`, if any.
std::optional<size_t> Slot(const SuiteRunResult& run, const SuiteClaim& claim) {
  const std::string* compared = Level(run, claim.axis);
  if (compared == nullptr || (*compared != claim.treatment && *compared != claim.control)) {
    return std::nullopt;
  }
  const bool treatment = *compared == claim.treatment;
  if (!claim.across) return treatment ? kTreatmentTo : kControlTo;
  const std::string* across = Level(run, claim.across->axis);
  if (across == nullptr) return std::nullopt;
  if (*across == claim.across->to) return treatment ? kTreatmentTo : kControlTo;
  if (*across == claim.across->from) return treatment ? kTreatmentFrom : kControlFrom;
  return std::nullopt;
}

std::optional<double> FiniteMetric(const SuiteRunResult* run, const std::string& metric) {
  if (run == nullptr || run->status != kDone) return std::nullopt;
  const auto it = run->metrics.find(metric);
  if (it == run->metrics.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

// d for one seed, when every run it needs is done with a finite metric.
std::optional<double> Effect(const SeedRuns& seed, const SuiteClaim& claim) {
  const std::optional<double> t = FiniteMetric(seed[kTreatmentTo], claim.metric);
  const std::optional<double> c = FiniteMetric(seed[kControlTo], claim.metric);
  if (!t || !c) return std::nullopt;
  if (!claim.across) return *t - *c;
  const std::optional<double> t_from = FiniteMetric(seed[kTreatmentFrom], claim.metric);
  const std::optional<double> c_from = FiniteMetric(seed[kControlFrom], claim.metric);
  if (!t_from || !c_from) return std::nullopt;
  return (*t - *c) - (*t_from - *c_from);
}

bool Complete(const SeedRuns& seed, const SuiteClaim& claim) {
  const size_t needed = claim.across ? 4 : 2;
  return std::all_of(seed.begin(), seed.begin() + needed,
                     [](const SuiteRunResult* run) { return run != nullptr; });
}

// A cell while gathering: its runs by seed, seeds in order of appearance.
struct PendingCell {
  std::vector<std::pair<std::string, std::string>> factors;
  std::vector<std::pair<std::string, SeedRuns>> seeds;
};

void Judge(const SuiteClaim& claim, ClaimCellResult& cell) {
  cell.n = static_cast<int>(cell.effects.size());
  if (cell.n > 0) {
    for (const auto& [seed, d] : cell.effects) cell.mean += d;
    cell.mean /= cell.n;
  }
  if (cell.n > 1) {
    double squares = 0;
    for (const auto& [seed, d] : cell.effects) squares += (d - cell.mean) * (d - cell.mean);
    cell.std = std::sqrt(squares / (cell.n - 1));
  }
  if (cell.n < kMinSeeds) {
    cell.verdict = ClaimVerdict::kInconclusive;
    cell.note = absl::StrCat("n seeds < ", kMinSeeds);
    return;
  }
  // e = s * d: its mean is s * mean(d), its standard deviation that of d.
  const double sign = claim.expect == ClaimExpectation::kIncrease ? 1.0 : -1.0;
  const double mean_e = sign * cell.mean;
  if (mean_e - cell.std > 0) {
    cell.verdict = ClaimVerdict::kSupported;
  } else if (mean_e + cell.std < 0) {
    cell.verdict = ClaimVerdict::kContradicted;
  } else {
    cell.verdict = ClaimVerdict::kInconclusive;
  }
}

ClaimResult EvaluateClaim(const SuiteClaim& claim, const std::vector<SuiteRunResult>& runs) {
  ClaimResult result;
  result.claim = claim;
  auto pairs_or_fixes = [&claim](const std::string& axis) {
    return axis == kClaimSeedAxis || axis == claim.axis ||
           (claim.across && axis == claim.across->axis) || claim.where.count(axis) > 0;
  };
  std::vector<PendingCell> pending;
  for (const SuiteRunResult& run : runs) {
    const std::optional<size_t> slot = Slot(run, claim);
    const std::string* seed = Level(run, kClaimSeedAxis);
    if (!slot || seed == nullptr || !Matches(run, claim.where)) continue;
    std::vector<std::pair<std::string, std::string>> factors;
    for (const auto& [axis, level] : run.factors) {
      if (!pairs_or_fixes(axis)) factors.emplace_back(axis, level);
    }
    auto cell = std::find_if(pending.begin(), pending.end(),
                             [&](const PendingCell& c) { return c.factors == factors; });
    if (cell == pending.end()) {
      pending.push_back(PendingCell{factors, {}});
      cell = pending.end() - 1;
    }
    auto seed_runs = std::find_if(cell->seeds.begin(), cell->seeds.end(),
                                  [&](const auto& s) { return s.first == *seed; });
    if (seed_runs == cell->seeds.end()) {
      cell->seeds.emplace_back(*seed, SeedRuns{});
      seed_runs = cell->seeds.end() - 1;
    }
    seed_runs->second[*slot] = &run;
  }
  for (const PendingCell& cell : pending) {
    if (std::none_of(cell.seeds.begin(), cell.seeds.end(),
                     [&](const auto& s) { return Complete(s.second, claim); })) {
      continue;  // Exclusions left this combination without a comparison.
    }
    ClaimCellResult& judged = result.cells.emplace_back();
    judged.factors = cell.factors;
    for (const auto& [seed, seed_runs] : cell.seeds) {
      if (const std::optional<double> d = Effect(seed_runs, claim)) {
        judged.effects.emplace_back(seed, *d);
      } else {
        judged.missing_seeds.push_back(seed);
      }
    }
    Judge(claim, judged);
    switch (judged.verdict) {
      case ClaimVerdict::kSupported: ++result.supported; break;
      case ClaimVerdict::kContradicted: ++result.contradicted; break;
      case ClaimVerdict::kInconclusive: ++result.inconclusive; break;
    }
  }
  if (result.contradicted > 0) {
    result.verdict = ClaimVerdict::kContradicted;
  } else if (!result.cells.empty() && result.supported == static_cast<int>(result.cells.size())) {
    result.verdict = ClaimVerdict::kSupported;
  } else {
    result.verdict = ClaimVerdict::kInconclusive;
  }
  return result;
}

}  // namespace

const char* ClaimExpectationName(ClaimExpectation expect) {
  return expect == ClaimExpectation::kIncrease ? "increase" : "decrease";
}

const char* ClaimVerdictName(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::kSupported: return "supported";
    case ClaimVerdict::kContradicted: return "contradicted";
    case ClaimVerdict::kInconclusive: return "inconclusive";
  }
  return "?";
}

std::string ClaimCellResult::Title() const {
  if (factors.empty()) return "all runs";
  std::vector<std::string> parts;
  for (const auto& [axis, level] : factors) parts.push_back(absl::StrCat(axis, " = ", level));
  return absl::StrJoin(parts, " · ");
}

std::vector<ClaimResult> EvaluateClaims(const std::vector<SuiteClaim>& claims,
                                        const std::vector<SuiteRunResult>& runs) {
  std::vector<ClaimResult> results;
  results.reserve(claims.size());
  for (const SuiteClaim& claim : claims) results.push_back(EvaluateClaim(claim, runs));
  return results;
}

}  // namespace stlab
