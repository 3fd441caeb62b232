// Fuzzes what `stlab suite plan SUITE --set ...` reads first: LoadSuiteSpec (the
// suite TOML, its axes, levels, exclusions, per-cell overrides and report layout)
// and ExpandSuite.
//
// Input: the suite file (configs/fuzz/suite.toml); lines "#set key=value" are
// `--set` overrides. The shipped configs are reachable as in the repository
// ("../self_training/detection_sum.toml").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/suite/suite_spec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// NOTE: a grid is the product of its axes' sizes, so a few hundred bytes can ask
// for billions of runs; that is the user's request, not a reader bug, and
// expanding it would only exhaust memory. Larger grids are read but not expanded.
constexpr double kMaxCells = 1e5;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  stlab::fuzz::FolderBesideShippedConfigs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path file = stlab::fuzz::FolderBesideShippedConfigs() / "suite.toml";
  stlab::fuzz::WriteBytes(file, input);
  absl::StatusOr<stlab::SuiteSpec> suite =
      stlab::LoadSuiteSpec(file, stlab::fuzz::SetLines(input));
  if (!suite.ok()) return 0;
  double cells = 1;
  for (const stlab::SuiteAxis& axis : suite->axes) cells *= axis.levels.size();
  if (cells > kMaxCells) return 0;
  for (const stlab::SuiteCell& cell : stlab::ExpandSuite(*suite)) cell.Name();
  return 0;
}
