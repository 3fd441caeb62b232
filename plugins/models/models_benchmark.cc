// Training-step cost of a backbone + FPN on the CPU: forward and backward of a batch
// of 8 at 128 and 256 px, for ResNet-18 and EfficientNet-B0, each at full size and
// as a tiny variant (width 0.25, depth 0.5) of the kind used for minutes-long
// experiments, in the contiguous and the channels-last layout (the evidence for
// ResolveConvLayout, core/engine/task_model.h).
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "core/engine/task_model.h"
#include "plugins/models/efficientnet.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"

namespace stlab::models {
namespace {

constexpr int64_t kBatch = 8;

// Times forward + backward of `backbone` and an FPN on its outputs, in train mode,
// with convolution weights and images in the layout state.range(3) names (1:
// channels-last, 0: contiguous), as TaskModel keeps them.
void TrainSteps(benchmark::State& state, Backbone& backbone) {
  const int64_t size = state.range(0);
  const at::MemoryFormat layout =
      state.range(3) != 0 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  Fpn fpn(FpnOptions(backbone.OutputSpecs()));
  backbone.train();
  fpn->train();
  SetConvWeightLayout(backbone, layout);
  SetConvWeightLayout(*fpn, layout);
  at::manual_seed(0);
  const at::Tensor images = at::randn({kBatch, 3, size, size}).contiguous(layout);
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

// Args: image size in px, width multiplier in percent, depth multiplier in percent,
// channels-last (0 or 1).
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

// Both models at both sizes, full and tiny, in both layouts.
void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"px", "width%", "depth%", "cl"})
      ->ArgsProduct({{128, 256}, {100}, {100}, {0, 1}})
      ->ArgsProduct({{128, 256}, {25}, {50}, {0, 1}})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

BENCHMARK(BM_ResNet18FpnTrainStep)->Apply(Shapes);
BENCHMARK(BM_EfficientNetB0FpnTrainStep)->Apply(Shapes);

}  // namespace
}  // namespace stlab::models
