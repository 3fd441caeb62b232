// Cost of one full training step (forward, losses, backward, SGD update) of the
// task models on synthetic batches of 8: a tiny RetinaNet (the shipped tiny config's
// shape), a ResNet-18 FPN RetinaNet (torchvision's head: 256 channels, P3-P7, four
// convs per tower), and the tiny semantic-FPN segmenter, at 128 and 256 px.
#include <cstdint>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/data/batch.h"
#include "core/engine/task_model.h"
#include "plugins/datasets/synthetic_shapes.h"
#include "plugins/detection/retinanet_head.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"
#include "plugins/segmentation/semantic_fpn_head.h"
#include "torch/optim/sgd.h"

namespace stlab {
namespace {

constexpr int64_t kBatch = 8;

Batch SyntheticBatch(int64_t size) {
  datasets::SyntheticShapesOptions options;
  options.image_size = size;
  options.num_images = kBatch;
  datasets::SyntheticShapesDataset dataset(options, /*seed=*/0);
  std::vector<Sample> samples;
  for (int64_t i = 0; i < kBatch; ++i) samples.push_back(*dataset.Get(i));
  return *Collate(std::move(samples), /*size_divisor=*/128);
}

struct ModelShape {
  double width = 1.0;
  int64_t fpn_channels = 256;
  int64_t max_level = 7;
  int64_t head_convs = 4;
  bool segmentation = false;
};

std::shared_ptr<TaskModel> Build(const ModelShape& shape) {
  torch::manual_seed(0);
  auto backbone = std::shared_ptr<Backbone>(
      models::ResNet(models::ResNetOptions(18).width_multiplier(shape.width)).ptr());
  auto neck = std::shared_ptr<Neck>(models::Fpn(models::FpnOptions(backbone->OutputSpecs())
                                                    .out_channels(shape.fpn_channels)
                                                    .max_level(shape.max_level))
                                        .ptr());
  const int64_t classes = datasets::SyntheticShapesOptions().num_classes;
  if (shape.segmentation) {
    auto head = std::shared_ptr<SegmentationHead>(
        segmentation::SemanticFpnHead(
            segmentation::SemanticFpnHeadOptions(neck->OutputSpecs(), classes + 1).channels(64))
            .ptr());
    return std::make_shared<TaskModel>(backbone, neck, nullptr, head);
  }
  auto head = std::shared_ptr<DetectionHead>(
      detection::RetinaNetHead(detection::RetinaNetHeadOptions(neck->OutputSpecs(), classes)
                                   .num_convs(shape.head_convs)
                                   .anchor_size(shape.width < 1.0 ? 2.0 : 4.0))
          .ptr());
  return std::make_shared<TaskModel>(backbone, neck, head, nullptr);
}

void TrainSteps(benchmark::State& state, const ModelShape& shape) {
  const Batch batch = SyntheticBatch(state.range(0));
  std::shared_ptr<TaskModel> model = Build(shape);
  model->train();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  for (auto _ : state) {
    sgd.zero_grad();
    at::Tensor loss = at::zeros({});
    for (const auto& [name, term] : model->Loss(batch)) loss = loss + term;
    loss.backward();
    sgd.step();
    benchmark::DoNotOptimize(loss);
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
}

void BM_TinyRetinaNetTrainStep(benchmark::State& state) {
  TrainSteps(state, {.width = 0.25, .fpn_channels = 64, .max_level = 6, .head_convs = 2});
}
void BM_ResNet18FpnRetinaNetTrainStep(benchmark::State& state) { TrainSteps(state, {}); }
void BM_TinySemanticFpnTrainStep(benchmark::State& state) {
  TrainSteps(state, {.width = 0.25, .fpn_channels = 64, .max_level = 5, .segmentation = true});
}

BENCHMARK(BM_TinyRetinaNetTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet18FpnRetinaNetTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TinySemanticFpnTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab
