// Benchmarks of training-target assignment on the CPU: RetinaNet anchors (P3..P7) for
// a 256x256 and a 512x512 image, then matching them to 10 ground-truth boxes.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "plugins/detection/anchors.h"
#include "plugins/detection/matcher.h"

namespace stlab::detection {
namespace {

const FeatureSpecs& RetinaNetLevels() {
  static const FeatureSpecs* specs = new FeatureSpecs{
      {"p3", 256, 8}, {"p4", 256, 16}, {"p5", 256, 32}, {"p6", 256, 64}, {"p7", 256, 128}};
  return *specs;
}

// 10 boxes, sides 16..size / 2 pixels, inside a size x size image.
at::Tensor GroundTruth(int64_t size) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const at::Tensor wh = at::rand({10, 2}, gen) * (size / 2 - 16) + 16;
  const at::Tensor xy = at::rand({10, 2}, gen) * (size - wh);
  return at::cat({xy, xy + wh}, 1);
}

void BM_GenerateAnchors(benchmark::State& state) {
  const int64_t size = state.range(0);
  const AnchorGenerator gen = *AnchorGenerator::Create({});
  const std::vector<GridSize> grids = GridSizesForImage(RetinaNetLevels(), size, size);
  for (auto _ : state) {
    absl::StatusOr<Anchors> anchors = gen.Generate(RetinaNetLevels(), grids);
    benchmark::DoNotOptimize(anchors);
  }
}

void BM_GenerateAndMatch(benchmark::State& state) {
  const int64_t size = state.range(0);
  const AnchorGenerator gen = *AnchorGenerator::Create({});
  const Matcher matcher = *Matcher::Create({});
  const at::Tensor gt = GroundTruth(size);
  const std::vector<GridSize> grids = GridSizesForImage(RetinaNetLevels(), size, size);
  int64_t num_anchors = 0;
  for (auto _ : state) {
    absl::StatusOr<Anchors> anchors = gen.Generate(RetinaNetLevels(), grids);
    at::Tensor matches = matcher.Match(anchors->boxes, gt);
    num_anchors = matches.numel();
    benchmark::DoNotOptimize(matches);
  }
  state.counters["anchors"] = static_cast<double>(num_anchors);
}

BENCHMARK(BM_GenerateAnchors)->Arg(256)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GenerateAndMatch)->Arg(256)->Arg(512)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace stlab::detection
