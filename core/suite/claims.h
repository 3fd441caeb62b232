// Claims of a suite: named comparisons with an expected sign ("self-training
// improves on the same initialization, in every cell"), judged over paired seeds in
// every cell of the other axes. Declared as [[report.claim]] in a suite file (see
// README.md); the report renders what EvaluateClaims computes.
#ifndef STLAB_CORE_SUITE_CLAIMS_H_
#define STLAB_CORE_SUITE_CLAIMS_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/export.h"

namespace stlab {

// NOTE: declared in core/suite/report.h, which includes this header for the
// claims of its layout.
struct SuiteRunResult;

/// The axis whose levels pair the runs of a claim.
inline constexpr const char kClaimSeedAxis[] = "seed";

/// Which sign of treatment - control a claim expects.
enum class ClaimExpectation { kIncrease, kDecrease };

/// "increase", "decrease".
STLAB_API const char* ClaimExpectationName(ClaimExpectation expect);

/// One [[report.claim]] of a suite file.
struct SuiteClaim {
  std::string name;
  std::string metric;     ///< A final metric of the runs (SuiteRunResult::metrics).
  std::string axis;       ///< compare.axis.
  std::string treatment;  ///< A level of `axis`.
  std::string control;    ///< Another level of `axis`.
  /// With `across`, the effect is the change of treatment - control from one level
  /// of another axis to the next: [T(to) - C(to)] - [T(from) - C(from)].
  struct Across {
    std::string axis;
    std::string from;
    std::string to;
  };
  std::optional<Across> across;
  /// (axis, level) pairs a run must have to count; those axes make no cells.
  std::map<std::string, std::string> where;
  ClaimExpectation expect = ClaimExpectation::kIncrease;
};

enum class ClaimVerdict { kSupported, kContradicted, kInconclusive };

/// "supported", "contradicted", "inconclusive".
STLAB_API const char* ClaimVerdictName(ClaimVerdict verdict);

/// A claim in one cell: one combination of levels of the axes the claim neither
/// compares, nor goes across, nor fixes with `where`, nor pairs by (seed).
struct ClaimCellResult {
  std::vector<std::pair<std::string, std::string>> factors;  ///< (axis, level), suite order.
  /// Each used seed's effect d (treatment - control as measured, or the difference
  /// of differences with `across`), in the order of the runs.
  std::vector<std::pair<std::string, double>> effects;
  /// Seeds lacking a finished run with a finite metric that d needs.
  std::vector<std::string> missing_seeds;
  int n = 0;          ///< effects.size().
  double mean = 0;    ///< Mean of d.
  double std = 0;     ///< Sample standard deviation of d (n - 1); 0 below 2 seeds.
  ClaimVerdict verdict = ClaimVerdict::kInconclusive;
  std::string note;   ///< Why inconclusive when not by the numbers: "n seeds < 3".

  /// "init = random · labeled_fraction = 0.2"; "all runs" without cell axes.
  std::string Title() const;
};

/// A claim judged over all its cells.
struct ClaimResult {
  SuiteClaim claim;
  std::vector<ClaimCellResult> cells;  ///< In the order of the runs.
  int supported = 0;
  int contradicted = 0;
  int inconclusive = 0;
  /// Supported when every cell is; contradicted when any cell is; else inconclusive.
  ClaimVerdict verdict = ClaimVerdict::kInconclusive;
};

/// Judges each claim over `runs` (a suite's runs, pending and failed ones included).
/// A cell exists where some seed has every run d needs among `runs`; a seed counts
/// when those runs are done with a finite metric. With e = d for "increase" and -d
/// for "decrease", over at least 3 seeds: supported when mean(e) - std(e) > 0,
/// contradicted when mean(e) + std(e) < 0, else inconclusive.
STLAB_API std::vector<ClaimResult> EvaluateClaims(const std::vector<SuiteClaim>& claims,
                                                  const std::vector<SuiteRunResult>& runs);

}  // namespace stlab

#endif  // STLAB_CORE_SUITE_CLAIMS_H_
