// Images per second of the shipped augmentation presets (configs/augment/aug_s1..4)
// on 640 x 640 synthetic samples with 5 boxes and a mask, one thread. The pipelines
// are read from the preset files, so the numbers are those of what runs. Wall time:
// OpenCV may spread a warp over its own threads.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "benchmark/benchmark.h"
#include "core/augmentation.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/config/validated_config.h"
#include "core/rng.h"
#include "plugins/augment/registration.h"

namespace stlab::augment {
namespace {

// A 640 x 640 sample: random colours, 5 rectangles in the mask and boxes.
Sample SyntheticSample() {
  at::manual_seed(0);
  Sample s;
  s.source = "benchmark";
  s.image = (at::rand({640, 640, 3}) * 255).to(at::kByte).contiguous();
  s.mask = at::zeros({640, 640}, at::kByte);
  std::vector<float> boxes;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 5; ++i) {
    const int64_t x1 = 40 + 110 * i, y1 = 60 + 90 * i, x2 = x1 + 80 + 10 * i, y2 = y1 + 120;
    s.mask.slice(0, y1, y2).slice(1, x1, x2).fill_(i + 1);
    boxes.insert(boxes.end(), {static_cast<float>(x1), static_cast<float>(y1),
                               static_cast<float>(x2), static_cast<float>(y2)});
    labels.push_back(i + 1);
  }
  s.boxes = at::tensor(boxes).reshape({5, 4});
  s.labels = at::tensor(labels);
  return s;
}

void BM_Preset(benchmark::State& state, const std::string& preset) {
  Registries registries;
  if (!RegisterAugmentations(registries).ok()) return state.SkipWithError("registration failed");
  auto document =
      ConfigDocument::Load(std::string(STLAB_SOURCE_DIR) + "/configs/augment/" + preset + ".toml");
  if (!document.ok()) return state.SkipWithError(document.status().ToString().c_str());
  auto config = ValidateConfig(*document, ExperimentSchema(), registries);
  if (!config.ok()) return state.SkipWithError(config.status().ToString().c_str());
  std::vector<std::shared_ptr<Augmentation>> pipeline;
  for (const ComponentConfig* c : config->Components("augment.pipeline")) {
    auto op = registries.augmentations().Create(c->type, c->values);
    if (!op.ok()) return state.SkipWithError(op.status().ToString().c_str());
    pipeline.push_back(*op);
  }
  const Sample input = SyntheticSample();
  uint64_t index = 0;
  for (auto _ : state) {
    Sample s = input;
    Rng rng(DeriveSeed({1, index++}));
    for (const auto& op : pipeline) {
      if (!op->Apply(s, rng).ok()) return state.SkipWithError("augmentation failed");
    }
    benchmark::DoNotOptimize(s.image.data_ptr());
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Preset, aug_s1, std::string("aug_s1"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s2, std::string("aug_s2"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s3, std::string("aug_s3"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s4, std::string("aug_s4"))->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab::augment
