// stlab::Conv2d's algorithms against LibTorch's (oneDNN, channels-last, as TaskModel
// runs them), batch 8: the evidence for its thresholds (core/ops/conv2d.h).
// - Forward: Winograd F(4x4, 3x3) against the direct convolution on the layer shapes
//   of a ResNet-18 FPN RetinaNet at 256 px (kWinogradMinChannels, kWinogradMinMapSize).
//   The Winograd weights are computed once, as Conv2d caches them.
// - Weight gradient: Conv3x3WeightGrad against oneDNN's on those shapes and the tiny
//   RetinaNet's at 128 px (kGemmWeightGradMinChannels).
// Both sides get the same tensors; malloc is tuned as the CLI tunes it.
#include <cstdint>
#include <optional>
#include <tuple>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "core/malloc_tuning.h"
#include "core/ops/conv3x3_weight_grad.h"
#include "core/ops/winograd_conv.h"

namespace stlab {
namespace {

constexpr int64_t kImages = 8;

struct Layer {
  at::Tensor input, weight, bias, grad_output;
};

Layer MakeLayer(const benchmark::State& state) {
  const int64_t in = state.range(0);
  const int64_t out = state.range(1);
  const int64_t size = state.range(2);
  RetainFreedTensorMemory();  // As the `stlab` CLI runs: no page faults per call.
  at::manual_seed(0);
  return {at::randn({kImages, in, size, size}).contiguous(at::MemoryFormat::ChannelsLast),
          (at::randn({out, in, 3, 3}) * 0.01).contiguous(at::MemoryFormat::ChannelsLast),
          at::randn({out}),
          at::randn({kImages, out, size, size}).contiguous(at::MemoryFormat::ChannelsLast)};
}

void SetRate(benchmark::State& state) {
  // The direct convolution's FLOPs for both sides: GFLOP/s are direct-equivalent.
  const double flops = 2.0 * kImages * state.range(0) * state.range(1) * 9.0 *
                       static_cast<double>(state.range(2) * state.range(2));
  state.counters["GFLOP/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * flops * 1e-9, benchmark::Counter::kIsRate);
}

void BM_DirectConv3x3(benchmark::State& state) {
  const Layer layer = MakeLayer(state);
  for (auto _ : state) {
    at::Tensor output = at::conv2d(layer.input, layer.weight, layer.bias, 1, 1);
    benchmark::DoNotOptimize(output.data_ptr());
  }
  SetRate(state);
}

void BM_WinogradConv3x3(benchmark::State& state) {
  const Layer layer = MakeLayer(state);
  const at::Tensor u = WinogradWeights(layer.weight);
  for (auto _ : state) {
    at::Tensor output = WinogradConv3x3(layer.input, u, layer.bias);
    benchmark::DoNotOptimize(output.data_ptr());
  }
  SetRate(state);
}

void BM_WinogradWeights(benchmark::State& state) {
  const Layer layer = MakeLayer(state);
  for (auto _ : state) benchmark::DoNotOptimize(WinogradWeights(layer.weight).data_ptr());
}

void BM_DirectConv3x3WeightGrad(benchmark::State& state) {
  const Layer layer = MakeLayer(state);
  for (auto _ : state) {
    auto grads = at::convolution_backward(layer.grad_output, layer.input, layer.weight,
                                          std::nullopt, {1, 1}, {1, 1}, {1, 1}, false, {0, 0},
                                          1, {false, true, false});
    benchmark::DoNotOptimize(std::get<1>(grads).data_ptr());
  }
  SetRate(state);
}

void BM_GemmConv3x3WeightGrad(benchmark::State& state) {
  const Layer layer = MakeLayer(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Conv3x3WeightGrad(layer.grad_output, layer.input).data_ptr());
  }
  SetRate(state);
}

// {input channels, output channels, map side}: the towers and FPN outputs at P3-P6,
// ResNet's layer1-layer4 3x3 convolutions, a box regressor (9 anchors x 4).
void LayerShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"in", "out", "px"});
  for (const int64_t px : {32, 16, 8, 4}) b->Args({256, 256, px});
  b->Args({64, 64, 64})->Args({128, 128, 32})->Args({512, 512, 8})->Args({256, 36, 32});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_DirectConv3x3)->Apply(LayerShapes);
BENCHMARK(BM_WinogradConv3x3)->Apply(LayerShapes);
// The weight gradient's shapes: the above, and the tiny RetinaNet's (quarter-width
// ResNet-18, 64-channel FPN and towers at 128 px, 6 classes x 9 anchors).
void WeightGradShapes(benchmark::internal::Benchmark* b) {
  LayerShapes(b);
  for (const int64_t px : {16, 8, 4, 2}) b->Args({64, 64, px});
  b->Args({64, 64, 32})->Args({128, 128, 4})->Args({64, 54, 16})->Args({32, 32, 16})->Args({16, 16, 32});
}

BENCHMARK(BM_DirectConv3x3WeightGrad)->Apply(WeightGradShapes);
BENCHMARK(BM_GemmConv3x3WeightGrad)->Apply(WeightGradShapes);
BENCHMARK(BM_WinogradWeights)->ArgNames({"in", "out", "px"})->Args({256, 256, 1})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace stlab
