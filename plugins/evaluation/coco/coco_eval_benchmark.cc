// Benchmarks of COCO bbox evaluation on the medium fixture (tests/fixtures) and the
// shared large one:
// evaluation alone (GT indexing included), and loading + evaluation.
#include <filesystem>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "plugins/evaluation/coco/coco_eval.h"
#include "plugins/evaluation/coco/coco_json.h"

namespace stlab::coco {
namespace {

namespace fs = std::filesystem;

fs::path CaseDir(const std::string& name) {
  return name == "large" ? fs::path(STLAB_SHARED_DIR) / "fixtures" / "coco_eval" / name
                         : fs::path(STLAB_SOURCE_DIR) / "tests" / "fixtures" / "coco_eval" / name;
}

fs::path PlainOrGz(const fs::path& dir, const std::string& name) {
  const fs::path plain = dir / name;
  return fs::exists(plain) ? plain : fs::path(plain.string() + ".gz");
}

void BM_Evaluate(benchmark::State& state, const std::string& name) {
  const fs::path dir = CaseDir(name);
  absl::StatusOr<GroundTruth> gt = LoadGroundTruth(PlainOrGz(dir, "gt.json"));
  if (!gt.ok()) return state.SkipWithError(gt.status().ToString().c_str());
  absl::StatusOr<std::vector<Detection>> dets = LoadDetections(PlainOrGz(dir, "dets.json"), *gt);
  if (!dets.ok()) return state.SkipWithError(dets.status().ToString().c_str());
  const EvalOptions options{.num_threads = static_cast<int>(state.range(0))};
  for (auto _ : state) {
    absl::StatusOr<EvalResult> result = Evaluate(*gt, *dets, options);
    benchmark::DoNotOptimize(result);
  }
  state.counters["dets"] = static_cast<double>(dets->size());
}

void BM_LoadAndEvaluate(benchmark::State& state, const std::string& name) {
  const fs::path dir = CaseDir(name);
  const EvalOptions options{.num_threads = static_cast<int>(state.range(0))};
  for (auto _ : state) {
    absl::StatusOr<GroundTruth> gt = LoadGroundTruth(PlainOrGz(dir, "gt.json"));
    if (!gt.ok()) return state.SkipWithError(gt.status().ToString().c_str());
    absl::StatusOr<std::vector<Detection>> dets = LoadDetections(PlainOrGz(dir, "dets.json"), *gt);
    if (!dets.ok()) return state.SkipWithError(dets.status().ToString().c_str());
    absl::StatusOr<EvalResult> result = Evaluate(*gt, *dets, options);
    benchmark::DoNotOptimize(result);
  }
}

BENCHMARK_CAPTURE(BM_Evaluate, medium, std::string("medium"))
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluate, large, std::string("large"))
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadAndEvaluate, medium, std::string("medium"))
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadAndEvaluate, large, std::string("large"))
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace stlab::coco
