// The network a run trains: backbone, optional neck and one task head, built from a
// validated config through the registries.
#ifndef STLAB_CORE_ENGINE_TASK_MODEL_H_
#define STLAB_CORE_ENGINE_TASK_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/backbone.h"
#include "core/config/validated_config.h"
#include "core/data/batch.h"
#include "core/dataset.h"
#include "core/export.h"
#include "core/head.h"
#include "core/losses.h"
#include "core/neck.h"
#include "core/sample.h"
#include "registry/registries.h"
#include "torch/nn/module.h"

namespace stlab {

enum class Task { kDetection, kSegmentation };

/// "detection" or "segmentation".
STLAB_API const char* TaskName(Task task);

/// The memory layout of a TaskModel's convolution weights and input images (shapes
/// stay NCHW): `[model] memory_format`. LibTorch's CPU convolutions (oneDNN) run in
/// both (ResolveConvLayout picks for kAuto).
enum class ConvLayout { kAuto, kChannelsLast, kContiguous };

/// "auto", "channels_last", "contiguous": the values of `[model] memory_format`.
STLAB_API absl::StatusOr<ConvLayout> ParseConvLayout(std::string_view name);
STLAB_API const char* ConvLayoutName(ConvLayout layout);

/// kAuto's choice: channels-last, the faster layout for every shipped model since
/// channels-last 3x3 layers take GEMM weight gradients (core/ops/conv2d.h).
/// NOTE: measured on one AVX2 core, batch 8, best of 3 (plugins/models/
/// models_benchmark.cc, backbone + FPN training steps): ResNet-18 at 256 px 2118 ms
/// channels-last against 2612 contiguous, EfficientNet-B0 1530 against 2649; the
/// full RetinaNet on ResNet-18 (benchmarks/train_step_benchmark.cc) 4.3 s against
/// 5.7 s. Before those weight gradients, models reading 256 or more channels trained
/// about 13% faster contiguous, and kAuto chose by width.
STLAB_API ConvLayout ResolveConvLayout(ConvLayout layout);

/// Stores every 4-d parameter of `module` (its convolution weights, recursively) in
/// `layout`, in place (set_data: the parameters stay the same tensors).
STLAB_API void SetConvWeightLayout(torch::nn::Module& module, at::MemoryFormat layout);

/// Backbone -> neck -> head, with submodules "backbone", "neck" (when set) and
/// "head", so checkpoints name parameters "backbone.layer1.0.conv1.weight" and so on.
/// Convolution weights and training images are kept in the layout `layout` resolves
/// to (ResolveConvLayout); checkpoints load into it.
/// Prediction runs channels-last in either case.
class STLAB_API TaskModel : public torch::nn::Module {
 public:
  TaskModel(std::shared_ptr<Backbone> backbone, std::shared_ptr<Neck> neck,
            std::shared_ptr<DetectionHead> detection_head,
            std::shared_ptr<SegmentationHead> segmentation_head,
            ConvLayout layout = ConvLayout::kAuto);

  Task task() const { return detection_head_ ? Task::kDetection : Task::kSegmentation; }
  /// kChannelsLast or kContiguous: the layout the constructor resolved.
  ConvLayout conv_layout() const { return conv_layout_; }

  /// Training losses of a batch (detection: boxes of batch.samples; segmentation:
  /// batch.masks, which must be defined).
  LossTerms Loss(const Batch& batch);
  /// Predictions per image, without gradients, in the coordinates of each image
  /// (the padding cut away): detections, or softmax class probabilities [C, h, w].
  std::vector<Prediction> Predict(const Batch& batch);

  Backbone& backbone() { return *backbone_; }
  /// Where the backbone's starting weights came from (the initializer's Origin()),
  /// or "construction (no [model.init])".
  const std::string& init_origin() const { return init_origin_; }
  void set_init_origin(std::string origin) { init_origin_ = std::move(origin); }
  /// Inputs are padded to a multiple of this: the largest stride of any level.
  int64_t size_divisor() const;

 private:
  at::MemoryFormat memory_format() const;
  stlab::Features ComputeFeatures(const at::Tensor& images, at::MemoryFormat format);

  std::shared_ptr<Backbone> backbone_;
  std::shared_ptr<Neck> neck_;
  std::shared_ptr<DetectionHead> detection_head_;
  std::shared_ptr<SegmentationHead> segmentation_head_;
  std::string init_origin_ = "construction (no [model.init])";
  ConvLayout conv_layout_ = ConvLayout::kChannelsLast;
};

/// Number of classes the head of `task` predicts for a dataset: its class names
/// (detection) or its mask values (segmentation).
STLAB_API absl::StatusOr<int64_t> NumClassesFor(Task task, const DatasetInfo& info);

/// The backbone of [model.backbone], its parameters drawn from torch's generator
/// seeded with DeriveSeed({seed, "model"}): the first part of every model a run
/// builds (BuildTaskModel, pre-training).
STLAB_API absl::StatusOr<std::shared_ptr<Backbone>> BuildBackbone(const ValidatedConfig& config,
                                                                 const Registries& registries,
                                                                 uint64_t seed);

/// Sets `backbone`'s starting weights with [model.init] (the paper's random /
/// supervised / self-supervised start), seeded with DeriveSeed({seed, "init"}), and
/// returns the initializer's Origin(); without [model.init], leaves the backbone as
/// built and returns "construction (no [model.init])".
STLAB_API absl::StatusOr<std::string> InitializeBackbone(const ValidatedConfig& config,
                                                         const Registries& registries,
                                                         Backbone& backbone, uint64_t seed);

/// Builds the model of `config` ([model] section) for a dataset described by `info`.
/// Parameters are drawn from torch's generator seeded with DeriveSeed({seed, "model"}),
/// so one seed gives one model; the [model.init] initializer (if set) then sets the
/// backbone (the paper's random / supervised / self-supervised starting point), while
/// neck and head keep their own construction-time initialization.
STLAB_API absl::StatusOr<std::shared_ptr<TaskModel>> BuildTaskModel(const ValidatedConfig& config,
                                                                    const Registries& registries,
                                                                    const DatasetInfo& info,
                                                                    uint64_t seed);

/// BuildTaskModel, then the weights of `weights` (a run's checkpoint.pt or
/// model_final.pt) loaded strictly: the trained model that evaluation,
/// pseudo-labeling and prediction run.
STLAB_API absl::StatusOr<std::shared_ptr<TaskModel>> LoadTrainedModel(
    const ValidatedConfig& config, const Registries& registries, const DatasetInfo& info,
    uint64_t seed, const std::filesystem::path& weights);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_TASK_MODEL_H_
