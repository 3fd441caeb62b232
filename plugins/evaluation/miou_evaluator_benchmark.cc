// mIoU evaluation of a validation pass: 32 images of 256 x 256 with 9 classes
// (softmax probabilities in, argmax + confusion matrix + metrics out), the work
// `stlab eval` does per segmentation batch.
#include <cstdint>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "plugins/evaluation/miou_evaluator.h"

namespace stlab::evaluation {
namespace {

constexpr int64_t kImages = 32;
constexpr int64_t kClasses = 9;
constexpr int64_t kSize = 256;

void BM_MeanIouEvaluation(benchmark::State& state) {
  at::manual_seed(0);
  std::vector<Sample> truths(kImages);
  std::vector<Prediction> predictions(kImages);
  for (int64_t i = 0; i < kImages; ++i) {
    truths[i].source = "benchmark";
    truths[i].mask = at::randint(0, kClasses, {kSize, kSize}, at::kByte);
    truths[i].mask.slice(0, 0, 8).fill_(static_cast<int64_t>(kIgnoreLabel));
    predictions[i].class_probs = at::softmax(at::randn({kClasses, kSize, kSize}), 0);
  }
  std::vector<std::string> names;
  for (int64_t c = 0; c < kClasses; ++c) names.push_back("class" + std::to_string(c));
  for (auto _ : state) {
    MeanIouEvaluator evaluator(names);
    for (int64_t i = 0; i < kImages; ++i) {
      if (!evaluator.Add(truths[i], predictions[i]).ok()) return state.SkipWithError("Add failed");
    }
    benchmark::DoNotOptimize(evaluator.Compute());
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kImages), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_MeanIouEvaluation)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab::evaluation
