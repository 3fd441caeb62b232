// Generation throughput of the synthetic shapes dataset (images per second).
#include "benchmark/benchmark.h"
#include "plugins/datasets/synthetic_shapes.h"

namespace stlab::datasets {
namespace {

void BM_SyntheticShapesGet(benchmark::State& state) {
  SyntheticShapesOptions options;
  options.image_size = state.range(0);
  options.num_images = 1 << 20;
  SyntheticShapesDataset dataset(options, 0);
  int64_t index = 0;
  for (auto _ : state) {
    absl::StatusOr<Sample> sample = dataset.Get(index++ % options.num_images);
    benchmark::DoNotOptimize(sample);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SyntheticShapesGet)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

void BM_SyntheticShapesClassificationGet(benchmark::State& state) {
  SyntheticShapesOptions options;
  options.image_size = state.range(0);
  options.num_images = 1 << 20;
  options.single_centered_object = true;
  SyntheticShapesDataset dataset(options, 0);
  int64_t index = 0;
  for (auto _ : state) {
    absl::StatusOr<Sample> sample = dataset.Get(index++ % options.num_images);
    benchmark::DoNotOptimize(sample);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SyntheticShapesClassificationGet)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace stlab::datasets
