// Model construction and FLOP counting for the model benchmarks.
#include "benchmarks/benchmark_models.h"

#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "core/malloc_tuning.h"
#include "plugins/datasets/synthetic_shapes.h"
#include "plugins/detection/retinanet_head.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"
#include "plugins/segmentation/semantic_fpn_head.h"
#include "torch/csrc/autograd/profiler_kineto.h"

namespace stlab::benchmarks {

Batch SyntheticBatch(int64_t size) {
  datasets::SyntheticShapesOptions options;
  options.image_size = size;
  options.num_images = kBatch;
  datasets::SyntheticShapesDataset dataset(options, /*seed=*/0);
  std::vector<Sample> samples;
  for (int64_t i = 0; i < kBatch; ++i) samples.push_back(*dataset.Get(i));
  return *Collate(std::move(samples), /*size_divisor=*/128);
}

std::shared_ptr<TaskModel> BuildModel(const ModelShape& shape) {
  RetainFreedTensorMemory();
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
                                   .anchor_size(shape.width < 1.0 ? 2.0 : 4.0)
                                   .score_threshold(shape.score_threshold))
          .ptr());
  return std::make_shared<TaskModel>(backbone, neck, head, nullptr);
}

double ForwardFlops(TaskModel& model, const Batch& batch) {
  namespace profiler = torch::autograd::profiler;
  using torch::profiler::impl::ActivityType;
  using torch::profiler::impl::ProfilerConfig;
  using torch::profiler::impl::ProfilerState;
  const ProfilerConfig config(ProfilerState::KINETO, /*report_input_shapes=*/true,
                              /*profile_memory=*/false, /*with_stack=*/false,
                              /*with_flops=*/true);
  const std::set<ActivityType> activities{ActivityType::CPU};
  profiler::prepareProfiler(config, activities);
  profiler::enableProfiler(config, activities);
  // NOTE: with autograd on, as in training: without it the wide 3x3 layers would take
  // Winograd (core/ops/winograd_conv2d.h) and leave aten::conv2d out of the count.
  model.Loss(batch);
  const std::unique_ptr<profiler::ProfilerResult> result = profiler::disableProfiler();
  double flops = 0.0;
  for (const auto& event : result->events()) {
    const std::string_view name = event.name();
    if (name == "aten::conv2d" || name == "aten::mm" || name == "aten::addmm" ||
        name == "aten::bmm") {
      flops += static_cast<double>(event.flops());
    }
  }
  return flops;
}

}  // namespace stlab::benchmarks
