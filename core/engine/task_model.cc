// TaskModel: wiring and building.
#include "core/engine/task_model.h"

#include <algorithm>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/checkpoint.h"
#include "core/initializer.h"
#include "core/rng.h"
#include "core/status.h"
#include "torch/utils.h"

namespace stlab {

constexpr char kNoInitOrigin[] = "construction (no [model.init])";

const char* TaskName(Task task) {
  return task == Task::kDetection ? "detection" : "segmentation";
}

absl::StatusOr<ConvLayout> ParseConvLayout(std::string_view name) {
  if (name == "auto") return ConvLayout::kAuto;
  if (name == "channels_last") return ConvLayout::kChannelsLast;
  if (name == "contiguous") return ConvLayout::kContiguous;
  return absl::InvalidArgumentError(absl::StrCat(
      "model.memory_format: expected \"auto\", \"channels_last\" or \"contiguous\", got \"",
      std::string(name), "\""));
}

const char* ConvLayoutName(ConvLayout layout) {
  switch (layout) {
    case ConvLayout::kAuto:
      return "auto";
    case ConvLayout::kChannelsLast:
      return "channels_last";
    case ConvLayout::kContiguous:
      return "contiguous";
  }
  return "?";
}

ConvLayout ResolveConvLayout(ConvLayout layout) {
  return layout == ConvLayout::kAuto ? ConvLayout::kChannelsLast : layout;
}

void SetConvWeightLayout(torch::nn::Module& module, at::MemoryFormat layout) {
  torch::NoGradGuard no_grad;
  for (at::Tensor& parameter : module.parameters()) {
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(layout));
  }
}

TaskModel::TaskModel(std::shared_ptr<Backbone> backbone, std::shared_ptr<Neck> neck,
                     std::shared_ptr<DetectionHead> detection_head,
                     std::shared_ptr<SegmentationHead> segmentation_head, ConvLayout layout)
    : backbone_(register_module("backbone", std::move(backbone))),
      detection_head_(std::move(detection_head)),
      segmentation_head_(std::move(segmentation_head)) {
  if (neck) neck_ = register_module("neck", std::move(neck));
  if (detection_head_) {
    register_module("head", detection_head_);
  } else {
    TORCH_CHECK(segmentation_head_, "TaskModel needs a detection or a segmentation head");
    register_module("head", segmentation_head_);
  }
  conv_layout_ = ResolveConvLayout(layout);
  // NOTE: loading copies into these tensors (copy_), so the layout survives
  // checkpoints. Training inputs follow it (Loss), so that oneDNN converts no layouts
  // around the calls beyond its own blocking.
  SetConvWeightLayout(*this, memory_format());
}

at::MemoryFormat TaskModel::memory_format() const {
  return conv_layout_ == ConvLayout::kChannelsLast ? at::MemoryFormat::ChannelsLast
                                                   : at::MemoryFormat::Contiguous;
}

int64_t TaskModel::size_divisor() const {
  int64_t divisor = 1;
  for (const FeatureSpec& spec : backbone_->OutputSpecs()) divisor = std::max(divisor, spec.stride);
  if (neck_) {
    for (const FeatureSpec& spec : neck_->OutputSpecs()) divisor = std::max(divisor, spec.stride);
  }
  return divisor;
}

stlab::Features TaskModel::ComputeFeatures(const at::Tensor& images, at::MemoryFormat format) {
  stlab::Features features = backbone_->Forward(images.contiguous(format));
  return neck_ ? neck_->Forward(features) : features;
}

LossTerms TaskModel::Loss(const Batch& batch) {
  const std::vector<int64_t> size = {batch.images.size(2), batch.images.size(3)};
  stlab::Features features = ComputeFeatures(batch.images, memory_format());
  if (detection_head_) return detection_head_->Loss(features, batch.samples, size);
  TORCH_CHECK(batch.masks.defined(), "segmentation training needs samples with masks");
  return segmentation_head_->Loss(segmentation_head_->Forward(features, size), batch.masks,
                                  batch.soft_masks);
}

std::vector<Prediction> TaskModel::Predict(const Batch& batch) {
  torch::NoGradGuard no_grad;
  const std::vector<int64_t> size = {batch.images.size(2), batch.images.size(3)};
  // NOTE: channels-last whatever the weights' layout: forward convolutions alone run
  // fastest channels-last at every width measured (the contiguous layout of wide
  // models wins only through the weight gradient); oneDNN reorders the weights for
  // each call in either layout.
  stlab::Features features = ComputeFeatures(batch.images, at::MemoryFormat::ChannelsLast);
  std::vector<Prediction> predictions(batch.image_sizes.size());
  if (detection_head_) {
    std::vector<Detections> detections = detection_head_->Predict(features, size);
    for (size_t i = 0; i < predictions.size(); ++i) {
      Detections& d = detections[i];
      const auto [h, w] = batch.image_sizes[i];
      // Boxes may reach into the padding: clip them to the image itself.
      d.boxes.select(1, 0).clamp_(0, w);
      d.boxes.select(1, 2).clamp_(0, w);
      d.boxes.select(1, 1).clamp_(0, h);
      d.boxes.select(1, 3).clamp_(0, h);
      predictions[i].detections = std::move(d);
    }
    return predictions;
  }
  const at::Tensor probs = segmentation_head_->Forward(features, size).softmax(1);
  for (size_t i = 0; i < predictions.size(); ++i) {
    const auto [h, w] = batch.image_sizes[i];
    predictions[i].class_probs = probs[i].narrow(1, 0, h).narrow(2, 0, w).contiguous();
  }
  return predictions;
}

absl::StatusOr<int64_t> NumClassesFor(Task task, const DatasetInfo& info) {
  if (task == Task::kDetection) {
    if (!info.has_boxes || info.class_names.empty()) {
      return absl::InvalidArgumentError("a detection head needs a dataset with boxes and classes");
    }
    return static_cast<int64_t>(info.class_names.size());
  }
  if (!info.has_masks || info.mask_class_names.size() < 2) {
    return absl::InvalidArgumentError(
        "a segmentation head needs a dataset with masks and at least two mask classes");
  }
  return static_cast<int64_t>(info.mask_class_names.size());
}

absl::StatusOr<std::shared_ptr<Backbone>> BuildBackbone(const ValidatedConfig& config,
                                                       const Registries& registries,
                                                       uint64_t seed) {
  const ComponentConfig* backbone_config = config.Component("model.backbone");
  if (backbone_config == nullptr) return absl::InvalidArgumentError("[model] needs a backbone");
  torch::manual_seed(DeriveSeed({seed, StageKey("model")}));
  return registries.backbones().Create(backbone_config->type, backbone_config->values);
}

absl::StatusOr<std::string> InitializeBackbone(const ValidatedConfig& config,
                                               const Registries& registries, Backbone& backbone,
                                               uint64_t seed) {
  const ComponentConfig* init_config = config.Component("model.init");
  if (init_config == nullptr) return std::string(kNoInitOrigin);
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Initializer> init,
                         registries.initializers().Create(init_config->type, init_config->values));
  STLAB_RETURN_IF_ERROR(Annotate(
      CallAndCatch("model.init",
                   [&] { return init->Initialize(backbone, DeriveSeed({seed, StageKey("init")})); }),
      absl::StrCat("model.init (", init_config->type, ")")));
  return init->Origin();
}

absl::StatusOr<std::shared_ptr<TaskModel>> BuildTaskModel(const ValidatedConfig& config,
                                                          const Registries& registries,
                                                          const DatasetInfo& info,
                                                          uint64_t seed) {
  const ComponentConfig* neck_config = config.Component("model.neck");
  const ComponentConfig* head_config = config.Component("model.head");
  if (config.Component("model.backbone") == nullptr || head_config == nullptr) {
    return absl::InvalidArgumentError("[model] needs a backbone and a head");
  }
  const Task task = head_config->kind == registries.detection_heads().kind() ? Task::kDetection
                                                                              : Task::kSegmentation;
  STLAB_ASSIGN_OR_RETURN(const int64_t num_classes, NumClassesFor(task, info));

  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Backbone> backbone,
                         BuildBackbone(config, registries, seed));
  std::shared_ptr<Neck> neck;
  FeatureSpecs head_inputs = backbone->OutputSpecs();
  if (neck_config != nullptr) {
    STLAB_ASSIGN_OR_RETURN(neck, registries.necks().Create(neck_config->type, neck_config->values,
                                                          NeckContext{head_inputs}));
    head_inputs = neck->OutputSpecs();
  }
  const HeadContext head_context{head_inputs, num_classes};
  std::shared_ptr<DetectionHead> detection_head;
  std::shared_ptr<SegmentationHead> segmentation_head;
  if (task == Task::kDetection) {
    STLAB_ASSIGN_OR_RETURN(detection_head, registries.detection_heads().Create(
                                               head_config->type, head_config->values, head_context));
  } else {
    STLAB_ASSIGN_OR_RETURN(segmentation_head,
                           registries.segmentation_heads().Create(head_config->type,
                                                                  head_config->values, head_context));
  }
  STLAB_ASSIGN_OR_RETURN(std::string origin,
                         InitializeBackbone(config, registries, *backbone, seed));
  STLAB_ASSIGN_OR_RETURN(const ConvLayout layout,
                         ParseConvLayout(config.Section("model").GetString("memory_format")));
  STLAB_ASSIGN_OR_RETURN(
      std::shared_ptr<TaskModel> model,
      CallAndCatch("model", [&]() -> absl::StatusOr<std::shared_ptr<TaskModel>> {
        return std::make_shared<TaskModel>(std::move(backbone), std::move(neck),
                                           std::move(detection_head), std::move(segmentation_head),
                                           layout);
      }));
  model->set_init_origin(std::move(origin));
  return model;
}

absl::StatusOr<std::shared_ptr<TaskModel>> LoadTrainedModel(const ValidatedConfig& config,
                                                            const Registries& registries,
                                                            const DatasetInfo& info, uint64_t seed,
                                                            const std::filesystem::path& weights) {
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<TaskModel> model,
                         BuildTaskModel(config, registries, info, seed));
  STLAB_RETURN_IF_ERROR(LoadCheckpoint(weights, *model, nullptr, nullptr));
  return model;
}

}  // namespace stlab
