// Images per second of the shipped augmentation presets (configs/augment/aug_s1..4)
// on 640 x 640 synthetic samples with 5 boxes and a mask, one thread; and of the
// whole data pipeline (synthetic shapes -> Aug-S4 -> batches) at the quickstart's
// settings. The pipelines are read from the preset files, so the numbers are those
// of what runs. Wall time: OpenCV may spread a warp over its own threads.
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
#include "core/data/data_loader.h"
#include "core/rng.h"
#include "core/status.h"
#include "plugins/augment/registration.h"
#include "plugins/datasets/synthetic_shapes.h"

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

// The augmentations of configs/augment/PRESET.toml with `overrides` ("key=value").
absl::StatusOr<std::vector<std::shared_ptr<Augmentation>>> LoadPreset(
    const std::string& preset, const std::vector<std::string>& overrides = {}) {
  Registries registries;
  STLAB_RETURN_IF_ERROR(RegisterAugmentations(registries));
  STLAB_ASSIGN_OR_RETURN(
      ConfigDocument document,
      ConfigDocument::Load(std::string(STLAB_SOURCE_DIR) + "/configs/augment/" + preset + ".toml",
                           overrides));
  STLAB_ASSIGN_OR_RETURN(ValidatedConfig config,
                         ValidateConfig(document, ExperimentSchema(), registries));
  std::vector<std::shared_ptr<Augmentation>> pipeline;
  for (const ComponentConfig* c : config.Components("augment.pipeline")) {
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Augmentation> op,
                           registries.augmentations().Create(c->type, c->values));
    pipeline.push_back(std::move(op));
  }
  return pipeline;
}

void BM_Preset(benchmark::State& state, const std::string& preset) {
  auto pipeline = LoadPreset(preset);
  if (!pipeline.ok()) return state.SkipWithError(pipeline.status().ToString().c_str());
  const Sample input = SyntheticSample();
  uint64_t index = 0;
  for (auto _ : state) {
    Sample s = input;
    Rng rng(DeriveSeed({1, index++}));
    for (const auto& op : *pipeline) {
      if (!op->Apply(s, rng).ok()) return state.SkipWithError("augmentation failed");
    }
    benchmark::DoNotOptimize(s.image.data_ptr());
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

// The training data pipeline of the quickstart's detector with Aug-S4: synthetic
// shapes at 128 px (configs/data/synthetic_shapes.toml), Aug-S4 sized for 128 px as
// its preset file advises, batches of 16 from 2 loader threads (the quickstart's
// train.batch_size and train.num_workers).
void BM_AugS4DataPipelineQuickstart(benchmark::State& state) {
  constexpr int64_t kBatchSize = 16;
  auto pipeline = LoadPreset(
      "aug_s4", {"augment.pipeline[1].size=128", "augment.pipeline[2].pixel_scale=0.2"});
  if (!pipeline.ok()) return state.SkipWithError(pipeline.status().ToString().c_str());
  datasets::SyntheticShapesOptions data_options;
  data_options.image_size = 128;
  data_options.num_images = 512;
  auto dataset = std::make_shared<datasets::SyntheticShapesDataset>(data_options, /*seed=*/0);
  std::vector<int64_t> indices(data_options.num_images);
  for (int64_t i = 0; i < data_options.num_images; ++i) indices[i] = i;
  DataLoaderOptions options;
  options.batch_size = kBatchSize;
  options.num_workers = static_cast<int>(state.range(0));
  auto loader = DataLoader::Create(
      dataset, indices, {pipeline->begin(), pipeline->end()}, options);
  if (!loader.ok()) return state.SkipWithError(loader.status().ToString().c_str());
  for (auto _ : state) {
    absl::StatusOr<Batch> batch = (*loader)->Next();
    if (!batch.ok()) return state.SkipWithError(batch.status().ToString().c_str());
    benchmark::DoNotOptimize(batch->images.data_ptr());
  }
  state.counters["images/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatchSize), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Preset, aug_s1, std::string("aug_s1"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s2, std::string("aug_s2"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s3, std::string("aug_s3"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Preset, aug_s4, std::string("aug_s4"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AugS4DataPipelineQuickstart)->ArgName("workers")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab::augment
