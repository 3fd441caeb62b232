// Generation throughput of the synthetic shapes dataset (images per second).
#include "benchmark/benchmark.h"
#include "plugins/datasets/synthetic_shapes.h"

namespace stlab::datasets {
namespace {

// Args: image size, and 1 for the single-object classification variant.
void BM_SyntheticShapesGet(benchmark::State& state) {
  SyntheticShapesOptions options;
  options.image_size = state.range(0);
  options.num_images = 1 << 20;
  options.single_centered_object = state.range(1) != 0;
  SyntheticShapesDataset dataset(options, 0);
  int64_t index = 0;
  for (auto _ : state) {
    absl::StatusOr<Sample> sample = dataset.Get(index++ % options.num_images);
    benchmark::DoNotOptimize(sample);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SyntheticShapesGet)
    ->ArgNames({"size", "classification"})
    ->Args({128, 0})
    ->Args({256, 0})
    ->Args({128, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace stlab::datasets
