// Model construction and FLOP counting for the model benchmarks.
#include "benchmarks/benchmark_models.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/malloc_tuning.h"
#include "core/ops/conv2d.h"
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
  {
    torch::NoGradGuard no_grad;
    model.Loss(batch);
  }
  const std::unique_ptr<profiler::ProfilerResult> result = profiler::disableProfiler();
  // Winograd layers first: their GEMMs (aten::bmm inside them) are not counted again.
  std::vector<std::pair<int64_t, int64_t>> winograd_spans;
  double flops = 0.0;
  for (const auto& event : result->events()) {
    if (event.name() != kWinogradConv2dEvent) continue;
    // The direct convolution's count, as the profiler gives aten::conv2d: Winograd
    // layers multiply less, so the rates are direct-equivalent.
    const auto shapes = event.shapes();  // input, weight
    const std::vector<int64_t>& in = shapes[0];
    const std::vector<int64_t>& w = shapes[1];
    flops += 2.0 * static_cast<double>(in[0] * w[0] * in[2] * in[3] * w[1] * w[2] * w[3]);
    winograd_spans.emplace_back(event.startNs(), event.endNs());
  }
  const auto in_winograd = [&](int64_t ns) {
    return std::any_of(winograd_spans.begin(), winograd_spans.end(),
                       [&](const auto& span) { return ns >= span.first && ns < span.second; });
  };
  for (const auto& event : result->events()) {
    const std::string name = event.name();
    if ((name == "aten::conv2d" || name == "aten::mm" || name == "aten::addmm" ||
         name == "aten::bmm") &&
        !in_winograd(event.startNs())) {
      flops += static_cast<double>(event.flops());
    }
  }
  return flops;
}

}  // namespace stlab::benchmarks
