// Benchmarks of the stlab::nms op on the CPU: 1k and 5k clustered boxes (the
// per-image candidate counts of RetinaNet inference), plain and per-class.
#include <cstdint>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "plugins/detection/nms.h"

namespace stlab::detection {
namespace {

struct Candidates {
  at::Tensor boxes;   // [n, 4] float32, n / 8 clusters in a 512x512 image.
  at::Tensor scores;  // [n] float32.
  at::Tensor labels;  // [n] int64 in [0, 80).
};

Candidates MakeCandidates(int64_t n) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(42);
  const at::Tensor centres = at::rand({n / 8, 2}, gen) * 512;
  const at::Tensor pick = at::randint(n / 8, {n}, gen);
  const at::Tensor centre = centres.index_select(0, pick) + at::randn({n, 2}, gen) * 6;
  const at::Tensor half = at::rand({n, 2}, gen) * 40 + 8;
  return {at::cat({centre - half, centre + half}, 1), at::rand({n}, gen),
          at::randint(80, {n}, gen)};
}

void BM_Nms(benchmark::State& state) {
  const Candidates c = MakeCandidates(state.range(0));
  int64_t kept = 0;
  for (auto _ : state) {
    at::Tensor keep = Nms(c.boxes, c.scores, 0.5);
    kept = keep.numel();
    benchmark::DoNotOptimize(keep);
  }
  state.counters["kept"] = static_cast<double>(kept);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_BatchedNms(benchmark::State& state) {
  const Candidates c = MakeCandidates(state.range(0));
  for (auto _ : state) {
    at::Tensor keep = BatchedNms(c.boxes, c.scores, c.labels, 0.5);
    benchmark::DoNotOptimize(keep);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Nms)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BatchedNms)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace stlab::detection
