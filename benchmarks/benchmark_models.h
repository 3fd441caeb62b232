// The task models and synthetic batches the model benchmarks share (training step,
// inference + NMS), and their FLOP count, so that every case measures the same
// networks as benchmarks/compare_peers.py builds in torchvision.
#ifndef STLAB_BENCHMARKS_BENCHMARK_MODELS_H_
#define STLAB_BENCHMARKS_BENCHMARK_MODELS_H_

#include <cstdint>
#include <memory>

#include "ATen/core/Tensor.h"
#include "core/data/batch.h"
#include "core/engine/task_model.h"

namespace stlab::benchmarks {

/// Images per batch in every model benchmark (and in the peers' runs).
inline constexpr int64_t kBatch = 8;

/// The shape of a benchmarked model: ResNet-18 at `width` -> FPN -> RetinaNet or
/// semantic-FPN head.
struct ModelShape {
  double width = 1.0;
  int64_t fpn_channels = 256;
  int64_t max_level = 7;
  int64_t head_convs = 4;
  bool segmentation = false;
  /// Inference: candidates below this score are dropped before NMS.
  double score_threshold = 0.05;
};

/// The shipped tiny detector's shape (quarter-width ResNet-18, FPN 64 P3-P6, two-conv
/// towers), a ResNet-18 FPN RetinaNet as torchvision builds it (256 channels, P3-P7,
/// four convs per tower), and the tiny semantic-FPN segmenter.
inline constexpr ModelShape kTinyRetinaNet{
    .width = 0.25, .fpn_channels = 64, .max_level = 6, .head_convs = 2};
inline constexpr ModelShape kResNet18FpnRetinaNet{};
inline constexpr ModelShape kTinySemanticFpn{
    .width = 0.25, .fpn_channels = 64, .max_level = 5, .segmentation = true};

/// kBatch synthetic-shapes images of `size` px with their boxes and masks.
Batch SyntheticBatch(int64_t size);

/// The model of `shape`, its parameters drawn from torch's generator seeded with 0.
/// Also tunes malloc as the `stlab` CLI does at start (core/malloc_tuning.h).
std::shared_ptr<TaskModel> BuildModel(const ModelShape& shape);

/// Floating-point operations of one training forward of `model` on `batch`, counted
/// by LibTorch's profiler (with_flops: 2 x multiply-adds of aten::conv2d, mm, addmm,
/// bmm, and of Winograd layers as if direct; element-wise ops left out), as
/// torch.utils.flop_counter counts the peers.
double ForwardFlops(TaskModel& model, const Batch& batch);

}  // namespace stlab::benchmarks

#endif  // STLAB_BENCHMARKS_BENCHMARK_MODELS_H_
