// Training-step cost of ResNet-18 + FPN on the CPU: forward and backward of a
// batch of 8 at 128 and 256 px, full width and a tiny variant (width 0.25,
// depth 0.5) of the kind used for minutes-long experiments.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"

namespace stlab::models {
namespace {

constexpr int64_t kBatch = 8;

// Args: image size in px, width multiplier in percent, depth multiplier in percent.
void BM_ResNet18FpnTrainStep(benchmark::State& state) {
  const int64_t size = state.range(0);
  ResNet backbone(ResNetOptions(18)
                      .width_multiplier(static_cast<double>(state.range(1)) / 100)
                      .depth_multiplier(static_cast<double>(state.range(2)) / 100));
  Fpn fpn(FpnOptions(backbone->OutputSpecs()));
  backbone->train();
  fpn->train();
  at::manual_seed(0);
  const at::Tensor images = at::randn({kBatch, 3, size, size});
  for (auto _ : state) {
    at::Tensor loss = at::zeros({});
    for (const auto& [name, level] : fpn->Forward(backbone->Forward(images))) {
      loss = loss + level.mean();
    }
    loss.backward();
    benchmark::DoNotOptimize(loss);
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ResNet18FpnTrainStep)
    ->ArgNames({"px", "width%", "depth%"})
    ->Args({128, 100, 100})
    ->Args({256, 100, 100})
    ->Args({128, 25, 50})
    ->Args({256, 25, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace stlab::models
