// Training-step cost of a backbone + FPN on the CPU: forward and backward of a batch
// of 8 at 128 and 256 px, for ResNet-18 and EfficientNet-B0, each at full size and
// as a tiny variant (width 0.25, depth 0.5) of the kind used for minutes-long
// experiments.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "plugins/models/efficientnet.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"

namespace stlab::models {
namespace {

constexpr int64_t kBatch = 8;

// Times forward + backward of `backbone` and an FPN on its outputs, in train mode.
void TrainSteps(benchmark::State& state, Backbone& backbone) {
  const int64_t size = state.range(0);
  Fpn fpn(FpnOptions(backbone.OutputSpecs()));
  backbone.train();
  fpn->train();
  at::manual_seed(0);
  const at::Tensor images = at::randn({kBatch, 3, size, size});
  for (auto _ : state) {
    at::Tensor loss = at::zeros({});
    for (const auto& [name, level] : fpn->Forward(backbone.Forward(images))) {
      loss = loss + level.mean();
    }
    loss.backward();
    benchmark::DoNotOptimize(loss);
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
}

double Percent(int64_t value) { return static_cast<double>(value) / 100; }

// Args: image size in px, width multiplier in percent, depth multiplier in percent.
void BM_ResNet18FpnTrainStep(benchmark::State& state) {
  ResNet backbone(ResNetOptions(18)
                      .width_multiplier(Percent(state.range(1)))
                      .depth_multiplier(Percent(state.range(2))));
  TrainSteps(state, *backbone);
}

// Args as above; stochastic depth at torchvision's 0.2.
void BM_EfficientNetB0FpnTrainStep(benchmark::State& state) {
  EfficientNet backbone(EfficientNetOptions("b0")
                            .width_multiplier(Percent(state.range(1)))
                            .depth_multiplier(Percent(state.range(2))));
  TrainSteps(state, *backbone);
}

BENCHMARK(BM_ResNet18FpnTrainStep)
    ->ArgNames({"px", "width%", "depth%"})
    ->Args({128, 100, 100})
    ->Args({256, 100, 100})
    ->Args({128, 25, 50})
    ->Args({256, 25, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_EfficientNetB0FpnTrainStep)
    ->ArgNames({"px", "width%", "depth%"})
    ->Args({128, 100, 100})
    ->Args({256, 100, 100})
    ->Args({128, 25, 50})
    ->Args({256, 25, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace stlab::models
