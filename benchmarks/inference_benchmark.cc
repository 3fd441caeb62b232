// Teacher inference as pseudo-labeling runs it: forward without gradients, box
// decoding, top-k and per-class NMS (TaskModel::Predict) on synthetic batches of 8.
// NOTE: the score threshold is 0 here: an untrained network scores every anchor near
// the 0.01 prior, below the usual 0.05, and NMS would see no candidates. With 0 every
// level's top-1000 candidates reach NMS, as with a trained teacher on busy images.
#include <cstdint>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/benchmark_models.h"

namespace stlab::benchmarks {
namespace {

void InferenceAndNms(benchmark::State& state, ModelShape shape) {
  shape.score_threshold = 0.0;
  const Batch batch = SyntheticBatch(state.range(0));
  std::shared_ptr<TaskModel> model = BuildModel(shape);
  model->eval();
  model->Predict(batch);  // Untimed warm-up: a single timed iteration is a warm one.
  int64_t kept = 0;
  for (auto _ : state) {
    std::vector<Prediction> predictions = model->Predict(batch);
    kept = 0;
    for (const Prediction& p : predictions) kept += p.detections.boxes.size(0);
    benchmark::DoNotOptimize(predictions);
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
  state.counters["detections_per_image"] = static_cast<double>(kept) / kBatch;
}

void BM_TinyRetinaNetInferenceNms(benchmark::State& state) {
  InferenceAndNms(state, kTinyRetinaNet);
}
void BM_ResNet18FpnRetinaNetInferenceNms(benchmark::State& state) {
  InferenceAndNms(state, kResNet18FpnRetinaNet);
}

BENCHMARK(BM_TinyRetinaNetInferenceNms)->ArgName("px")->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet18FpnRetinaNetInferenceNms)->ArgName("px")->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab::benchmarks
