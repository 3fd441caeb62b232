// The machine's convolution peak as LibTorch reaches it: a forward 3x3 convolution
// (stride 1, padding 1) of float32 batches through at::conv2d, for a few channel
// counts, in both layouts (contiguous NCHW and channels-last, which oneDNN runs with
// different kernels); the largest GFLOP/s is the peak the training steps are compared
// with. FLOPs = 2 x N x C_out x H x W x C_in x 9, the count the profiler gives conv2d.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"

namespace stlab::benchmarks {
namespace {

void BM_Conv3x3Peak(benchmark::State& state) {
  const int64_t channels = state.range(0);
  const int64_t size = state.range(1);
  const at::MemoryFormat format =
      state.range(2) == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  constexpr int64_t kImages = 8;
  at::manual_seed(0);
  const at::Tensor input = at::randn({kImages, channels, size, size}).contiguous(format);
  const at::Tensor weight = (at::randn({channels, channels, 3, 3}) * 0.01).contiguous(format);
  for (auto _ : state) {
    at::Tensor output = at::conv2d(input, weight, {}, 1, 1);
    benchmark::DoNotOptimize(output.data_ptr());
  }
  const double flops = 2.0 * kImages * channels * size * size * channels * 9;
  state.counters["GFLOP/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * flops * 1e-9, benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Conv3x3Peak)
    ->ArgNames({"channels", "px", "channels_last"})
    ->Args({64, 64, 0})
    ->Args({64, 64, 1})
    ->Args({128, 32, 0})
    ->Args({128, 32, 1})
    ->Args({256, 32, 0})
    ->Args({256, 32, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace stlab::benchmarks
