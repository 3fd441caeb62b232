// The machine's convolution peak as LibTorch reaches it: a forward 3x3 convolution
// (stride 1, padding 1) of float32 NCHW batches through at::conv2d, for a few channel
// counts; the largest GFLOP/s is the peak the training steps are compared with.
// FLOPs = 2 x N x C_out x H x W x C_in x 9, the count the profiler gives conv2d.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"

namespace stlab::benchmarks {
namespace {

void BM_Conv3x3Peak(benchmark::State& state) {
  const int64_t channels = state.range(0);
  const int64_t size = state.range(1);
  constexpr int64_t kImages = 8;
  at::manual_seed(0);
  const at::Tensor input = at::randn({kImages, channels, size, size});
  const at::Tensor weight = at::randn({channels, channels, 3, 3}) * 0.01;
  for (auto _ : state) {
    at::Tensor output = at::conv2d(input, weight, {}, 1, 1);
    benchmark::DoNotOptimize(output.data_ptr());
  }
  const double flops = 2.0 * kImages * channels * size * size * channels * 9;
  state.counters["GFLOP/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * flops * 1e-9, benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Conv3x3Peak)
    ->ArgNames({"channels", "px"})
    ->Args({64, 64})
    ->Args({128, 32})
    ->Args({256, 32})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace stlab::benchmarks
