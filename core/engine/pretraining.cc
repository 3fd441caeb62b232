// Pre-training methods on the run driver: supervised classification and SimCLR.
#include "core/engine/pretraining.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/augmentation.h"
#include "core/backbone.h"
#include "core/pretrain_method.h"
#include "core/data/batch.h"
#include "core/data/data_loader.h"
#include "core/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/task_model.h"
#include "core/logging.h"
#include "core/rng.h"
#include "core/status.h"
#include "torch/utils.h"

namespace stlab {
namespace {

// Holds the backbone under the name "backbone", so that a checkpoint of it names
// tensors "backbone.<parameter>" like a TaskModel's.
class BackboneHolder : public torch::nn::Module {
 public:
  explicit BackboneHolder(std::shared_ptr<Backbone> backbone) {
    register_module("backbone", std::move(backbone));
  }
};

// The backbone and the method's own module, as submodules "backbone" and "method";
// Embed() pools the backbone's coarsest level.
class PretrainNet : public torch::nn::Module {
 public:
  PretrainNet(std::shared_ptr<Backbone> backbone, std::shared_ptr<PretrainMethod> method,
              ConvLayout layout)
      : backbone_(register_module("backbone", std::move(backbone))),
        method_(register_module("method", std::move(method))),
        level_(backbone_->OutputSpecs().back().name),
        memory_format_(ResolveConvLayout(layout) == ConvLayout::kChannelsLast
                           ? at::MemoryFormat::ChannelsLast
                           : at::MemoryFormat::Contiguous) {
    // Weights and inputs in `[model] memory_format`, as a TaskModel keeps them.
    SetConvWeightLayout(*this, memory_format_);
  }

  at::Tensor Embed(const at::Tensor& images) {
    const Features features = backbone_->Forward(images.contiguous(memory_format_));
    return features.at(level_).mean({2, 3});
  }

  const std::shared_ptr<Backbone>& backbone() const { return backbone_; }
  PretrainMethod& method() { return *method_; }

 private:
  std::shared_ptr<Backbone> backbone_;
  std::shared_ptr<PretrainMethod> method_;
  std::string level_;
  at::MemoryFormat memory_format_;
};

// The augmentation pipeline as one view of a sample: its own stream, derived from
// the loader's per-sample stream and the view number, so that two loaders with the
// same order and seeds give two independent views of each image. The image's label
// (Sample::labels[0], if any) is kept through crops that would drop its box: the
// pipeline sees the image alone, and the result carries the label with a
// whole-image box.
class PretrainView : public Augmentation {
 public:
  PretrainView(std::vector<std::shared_ptr<const Augmentation>> pipeline, int view)
      : pipeline_(std::move(pipeline)),
        view_key_(StageKey(absl::StrCat("view", view))) {}

  absl::Status Apply(Sample& sample, Rng& rng) const override {
    const at::Tensor label = sample.labels.defined() && sample.labels.numel() > 0
                                 ? sample.labels.slice(0, 0, 1).clone()
                                 : at::Tensor();
    sample.boxes = at::zeros({0, 4}, at::kFloat);
    sample.labels = at::zeros({0}, at::kLong);
    sample.ignore_boxes = at::Tensor();
    sample.mask = at::Tensor();
    Rng view_rng(DeriveSeed({rng.NextU64(), view_key_}));
    for (const auto& op : pipeline_) STLAB_RETURN_IF_ERROR(op->Apply(sample, view_rng));
    if (label.defined()) {
      sample.labels = label;
      sample.boxes = at::tensor({0.0f, 0.0f, static_cast<float>(sample.image.size(1)),
                                 static_cast<float>(sample.image.size(0))})
                         .view({1, 4});
    }
    return absl::OkStatus();
  }

 private:
  std::vector<std::shared_ptr<const Augmentation>> pipeline_;
  uint64_t view_key_;
};

// Image-level labels of a batch: [N] int64.
absl::StatusOr<at::Tensor> BatchLabels(const Batch& batch, const std::string& method) {
  std::vector<int64_t> labels;
  labels.reserve(batch.samples.size());
  for (const Sample& sample : batch.samples) {
    if (!sample.labels.defined() || sample.labels.numel() < 1) {
      return absl::InvalidArgumentError(absl::StrCat("pre-training method '", method,
                                                     "' needs a label per image; ",
                                                     sample.source, " has none"));
    }
    labels.push_back(sample.labels[0].item<int64_t>());
  }
  return at::tensor(labels, at::kLong);
}

// Pre-training of the backbone alone with a registered method, on the run driver's
// loop.
class PretrainStep : public StepPolicy {
 public:
  PretrainStep(const ValidatedConfig& config, const Registries& registries,
               const RunFiles& files)
      : config_(config),
        registries_(registries),
        files_(files),
        train_(config.Section("train")),
        seed_(static_cast<uint64_t>(config.Section("run").GetInt("seed"))) {
    if (const ComponentConfig* method = config.Component("pretrain.method")) method_ = method->type;
  }

  std::string Method() const override { return method_; }
  torch::nn::Module& Model() override { return *net_; }
  std::string InitOrigin() const override { return init_origin_; }
  std::vector<std::filesystem::path> Products() const override { return {files_.backbone()}; }

  absl::Status Build() override {
    const ComponentConfig* method_config = config_.Component("pretrain.method");
    if (method_config == nullptr) {
      return absl::InvalidArgumentError(
          "pre-training needs [pretrain.method] (type = \"supervised\", \"simclr\" or a "
          "plugin's)");
    }
    if (config_.Component("model.backbone") == nullptr) {
      return absl::InvalidArgumentError("pre-training needs [model.backbone]");
    }
    STLAB_ASSIGN_OR_RETURN(train_data_, BuildDataset(config_, registries_, "data.train", seed_));
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Backbone> backbone,
                           BuildBackbone(config_, registries_, seed_));
    const PretrainContext context{backbone->OutputSpecs().back().channels,
                                  static_cast<int64_t>(train_data_->Info().class_names.size())};
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<PretrainMethod> method,
                           registries_.pretrain_methods().Create(
                               method_config->type, method_config->values, context));
    if (method->NumViews() < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pre-training method '", method_, "' asks for ", method->NumViews(), " views"));
    }
    STLAB_ASSIGN_OR_RETURN(init_origin_,
                           InitializeBackbone(config_, registries_, *backbone, seed_));
    STLAB_ASSIGN_OR_RETURN(const ConvLayout layout,
                           ParseConvLayout(config_.Section("model").GetString("memory_format")));
    net_ = std::make_shared<PretrainNet>(std::move(backbone), std::move(method), layout);
    // Held-out accuracy for a method that classifies.
    if (net_->method().ClassifiesImages()) {
      STLAB_ASSIGN_OR_RETURN(val_data_, BuildDataset(config_, registries_, "data.val", seed_));
    }
    LogInfo(absl::StrCat("pre-training (", method_, "), backbone initialization: ", init_origin_));
    LogInfo(absl::StrCat("convolution layout: ", ConvLayoutName(ResolveConvLayout(layout))));
    return absl::OkStatus();
  }

  absl::Status Start(int64_t iteration) override {
    STLAB_ASSIGN_OR_RETURN(auto pipeline, BuildAugmentations(config_, registries_));
    DataLoaderOptions loader_options;
    loader_options.batch_size = train_.GetInt("batch_size");
    loader_options.num_workers = static_cast<int>(train_.GetInt("num_workers"));
    loader_options.seed = seed_;
    loader_options.stage = StageKey("pretrain");
    for (const FeatureSpec& spec : net_->backbone()->OutputSpecs()) {
      loader_options.size_divisor = std::max(loader_options.size_divisor, spec.stride);
    }
    std::vector<int64_t> all(static_cast<size_t>(train_data_->Size()));
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    // The views' loaders share seed and stage, hence order and per-sample streams;
    // PretrainView makes the views differ.
    for (int view = 0; view < net_->method().NumViews(); ++view) {
      std::vector<std::shared_ptr<const Augmentation>> augmentations = {
          std::make_shared<PretrainView>(pipeline, view)};
      absl::StatusOr<std::unique_ptr<DataLoader>> loader =
          DataLoader::Create(train_data_, all, std::move(augmentations), loader_options);
      if (!loader.ok()) return Annotate(loader.status(), "data.train");
      STLAB_RETURN_IF_ERROR((*loader)->Seek(iteration));
      loaders_.push_back(*std::move(loader));
    }
    size_divisor_ = loader_options.size_divisor;
    return absl::OkStatus();
  }

  absl::StatusOr<StepLoss> Step(int64_t iteration) override {
    const std::string where = absl::StrCat("iteration ", iteration);
    std::vector<at::Tensor> views;
    at::Tensor labels;
    for (auto& loader : loaders_) {
      absl::StatusOr<Batch> batch = loader->Next();
      if (!batch.ok()) return Annotate(batch.status(), where);
      if (views.empty() && net_->method().UsesImageLabels()) {
        STLAB_ASSIGN_OR_RETURN(labels, BatchLabels(*batch, method_));
      }
      views.push_back(batch->images);
    }
    const PretrainLoss method_loss = net_->method().Loss(
        [&](const at::Tensor& images) { return net_->Embed(images); }, views, labels);
    if (method_loss.terms.empty()) {
      return absl::InternalError(absl::StrCat("pre-training method '", method_,
                                              "' returned no loss term"));
    }
    StepLoss step;
    step.loss = at::zeros({});
    for (const auto& [name, value] : method_loss.terms) {
      step.terms.emplace_back(name, value.item<double>());
      step.loss = step.loss + value;
    }
    step.values = method_loss.values;
    return step;
  }

  // Top-1 accuracy on data.val, unaugmented, in eval mode, for a method that
  // classifies.
  absl::StatusOr<Metrics> Evaluate() override {
    if (!val_data_) return Metrics();
    torch::NoGradGuard no_grad;
    net_->eval();
    const int64_t batch_size = config_.Section("eval").GetInt("batch_size");
    int64_t correct = 0;
    for (int64_t first = 0; first < val_data_->Size(); first += batch_size) {
      std::vector<Sample> samples;
      for (int64_t i = first; i < std::min(first + batch_size, val_data_->Size()); ++i) {
        STLAB_ASSIGN_OR_RETURN(Sample sample, val_data_->Get(i));
        sample.mask = at::Tensor();
        samples.push_back(std::move(sample));
      }
      STLAB_ASSIGN_OR_RETURN(const Batch batch, Collate(std::move(samples), size_divisor_));
      STLAB_ASSIGN_OR_RETURN(const at::Tensor labels, BatchLabels(batch, method_));
      const at::Tensor logits = net_->method().ClassLogits(
          [&](const at::Tensor& images) { return net_->Embed(images); }, batch.images);
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
    }
    return Metrics{{"val_accuracy", static_cast<double>(correct) /
                                        static_cast<double>(std::max<int64_t>(val_data_->Size(), 1))}};
  }

  absl::Status WriteProducts(int64_t iteration, const RunState& provenance) override {
    (void)iteration;
    return SaveCheckpoint(files_.backbone(), BackboneHolder(net_->backbone()), nullptr,
                          provenance);
  }

  // The evaluation plus the means of the last logged window: "loss" (the summed
  // terms) and the method's own values ("accuracy").
  Metrics FinalMetrics(const Metrics& evaluation, const Metrics& last_window) override {
    Metrics metrics = evaluation;
    if (auto it = last_window.find("loss/total"); it != last_window.end()) {
      metrics["loss"] = it->second;
    }
    for (const auto& [name, value] : last_window) {
      if (name.rfind("loss/", 0) != 0 && name != "grad_norm") metrics.emplace(name, value);
    }
    return metrics;
  }

 private:
  const ValidatedConfig& config_;
  const Registries& registries_;
  const RunFiles& files_;
  const Params& train_;
  uint64_t seed_;
  std::string method_;

  std::shared_ptr<const Dataset> train_data_;
  std::shared_ptr<const Dataset> val_data_;  // Methods that classify.
  std::shared_ptr<PretrainNet> net_;
  std::string init_origin_;
  std::vector<std::unique_ptr<DataLoader>> loaders_;  // One per view.
  int64_t size_divisor_ = 32;
};

}  // namespace

absl::StatusOr<PretrainResult> Pretrain(const ValidatedConfig& config,
                                        const Registries& registries,
                                        const PretrainOptions& options) {
  const RunFiles files(options.run_dir.empty() ? RunDirOf(config) : options.run_dir);
  PretrainStep policy(config, registries, files);
  RunDriverOptions driver_options;
  driver_options.show_progress = options.show_progress;
  STLAB_ASSIGN_OR_RETURN(RunDriverResult run, DriveRun(config, files, policy, driver_options));
  return PretrainResult{run.iterations, run.resumed_from, std::move(run.metrics)};
}

}  // namespace stlab
