// Pseudo-labeling throughput (images/s): teacher forward pass in eval mode, the
// head's decoding and NMS, and the threshold labeler, through PseudoLabel() as the
// self-training pipeline runs it, on 32 pre-generated synthetic images (image
// generation is not timed). Teachers: the tiny RetinaNet and the tiny semantic-FPN
// segmenter of the shipped synthetic configs (random weights: a trained teacher
// keeps fewer boxes, so detection numbers here include the worst case of NMS).
#include <cstdint>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/benchmark_models.h"
#include "core/engine/pseudo_labels.h"
#include "core/engine/task_model.h"
#include "plugins/datasets/synthetic_shapes.h"
#include "plugins/self_training/threshold_pseudo_labeler.h"

namespace stlab {
namespace {

constexpr int64_t kImages = 32;
using benchmarks::kBatch;

// Samples generated once, served from memory.
class InMemoryPool : public Dataset {
 public:
  explicit InMemoryPool(int64_t size) {
    datasets::SyntheticShapesOptions options;
    options.image_size = size;
    options.num_images = kImages;
    options.split = "unlabeled";
    datasets::SyntheticShapesDataset dataset(options, /*seed=*/0);
    for (int64_t i = 0; i < kImages; ++i) samples_.push_back(*dataset.Get(i));
    info_ = dataset.Info();
  }
  int64_t Size() const override { return kImages; }
  absl::StatusOr<Sample> Get(int64_t index) const override { return samples_[index]; }
  const DatasetInfo& Info() const override { return info_; }

 private:
  std::vector<Sample> samples_;
  DatasetInfo info_;
};

void PseudoLabelImages(benchmark::State& state, bool segmentation,
                       const PseudoLabeler& labeler) {
  const InMemoryPool pool(state.range(0));
  std::shared_ptr<TaskModel> teacher =
      benchmarks::BuildModel(segmentation ? benchmarks::kTinySemanticFpn : benchmarks::kTinyRetinaNet);
  for (auto _ : state) {
    absl::StatusOr<PseudoLabelSet> set = PseudoLabel(*teacher, pool, labeler, kBatch);
    if (!set.ok()) {
      state.SkipWithError(std::string(set.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(set->labels.data());
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kImages), benchmark::Counter::kIsRate);
}

void BM_TinyRetinaNetPseudoLabels(benchmark::State& state) {
  PseudoLabelImages(state, false,
                    self_training::DetectionThresholdLabeler(0.5, /*keep_empty=*/true, /*soft=*/false));
}
void BM_TinySemanticFpnPseudoLabels(benchmark::State& state) {
  PseudoLabelImages(state, true, self_training::SegmentationThresholdLabeler(0.5, /*soft=*/false));
}

BENCHMARK(BM_TinyRetinaNetPseudoLabels)->ArgName("px")->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TinySemanticFpnPseudoLabels)->ArgName("px")->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab
