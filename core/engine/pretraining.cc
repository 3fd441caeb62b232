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
#include "core/data/batch.h"
#include "core/data/data_loader.h"
#include "core/engine/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/nt_xent_loss.h"
#include "core/engine/task_model.h"
#include "core/logging.h"
#include "core/rng.h"
#include "core/status.h"
#include "torch/nn/modules/activation.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/linear.h"
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

// Backbone -> global average pool of the coarsest level -> head (classifier or
// projection MLP); submodules "backbone" and "head".
class PretrainNet : public torch::nn::Module {
 public:
  PretrainNet(std::shared_ptr<Backbone> backbone, torch::nn::Sequential head, ConvLayout layout)
      : backbone_(register_module("backbone", std::move(backbone))),
        head_(register_module("head", std::move(head))),
        level_(backbone_->OutputSpecs().back().name),
        memory_format_(ResolveConvLayout(layout) == ConvLayout::kChannelsLast
                           ? at::MemoryFormat::ChannelsLast
                           : at::MemoryFormat::Contiguous) {
    // Weights and inputs in `[model] memory_format`, as a TaskModel keeps them.
    SetConvWeightLayout(*this, memory_format_);
  }

  at::Tensor Forward(const at::Tensor& images) {
    const Features features = backbone_->Forward(images.contiguous(memory_format_));
    return head_->forward(features.at(level_).mean({2, 3}));
  }

  const std::shared_ptr<Backbone>& backbone() const { return backbone_; }

 private:
  std::shared_ptr<Backbone> backbone_;
  torch::nn::Sequential head_;
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
absl::StatusOr<at::Tensor> BatchLabels(const Batch& batch) {
  std::vector<int64_t> labels;
  labels.reserve(batch.samples.size());
  for (const Sample& sample : batch.samples) {
    if (!sample.labels.defined() || sample.labels.numel() < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "supervised pre-training needs a label per image; ", sample.source, " has none"));
    }
    labels.push_back(sample.labels[0].item<int64_t>());
  }
  return at::tensor(labels, at::kLong);
}

// `a` and `b` stacked along the batch, the smaller padded at the bottom and right
// (zero is the mean pixel after normalization, as Collate pads).
at::Tensor StackViews(const at::Tensor& a, const at::Tensor& b) {
  const int64_t h = std::max(a.size(2), b.size(2));
  const int64_t w = std::max(a.size(3), b.size(3));
  auto pad = [&](const at::Tensor& x) {
    if (x.size(2) == h && x.size(3) == w) return x;
    return at::constant_pad_nd(x, {0, w - x.size(3), 0, h - x.size(2)}, 0.0);
  };
  return at::cat({pad(a), pad(b)});
}

// Pre-training of the backbone alone, supervised or SimCLR, on the run driver's
// loop.
class PretrainStep : public StepPolicy {
 public:
  PretrainStep(const ValidatedConfig& config, const Registries& registries,
               const RunFiles& files)
      : config_(config),
        registries_(registries),
        files_(files),
        train_(config.Section("train")),
        pretrain_(config.Section("pretrain")),
        simclr_(pretrain_.GetString("method") == "simclr"),
        seed_(static_cast<uint64_t>(config.Section("run").GetInt("seed"))) {}

  std::string Method() const override { return pretrain_.GetString("method"); }
  torch::nn::Module& Model() override { return *net_; }
  std::string InitOrigin() const override { return init_origin_; }
  std::vector<std::filesystem::path> Products() const override { return {files_.backbone()}; }

  absl::Status Build() override {
    STLAB_ASSIGN_OR_RETURN(train_data_, BuildDataset(config_, registries_, "data.train", seed_));
    if (!simclr_) {
      STLAB_ASSIGN_OR_RETURN(val_data_, BuildDataset(config_, registries_, "data.val", seed_));
    }
    const int64_t num_classes = static_cast<int64_t>(train_data_->Info().class_names.size());
    if (!simclr_ && num_classes < 2) {
      return absl::InvalidArgumentError(
          "supervised pre-training needs a data.train with at least two classes (e.g. "
          "synthetic_shapes_classification, or image_folder with labels = \"subfolder\")");
    }
    if (config_.Component("model.backbone") == nullptr) {
      return absl::InvalidArgumentError("pre-training needs [model.backbone]");
    }
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Backbone> backbone,
                           BuildBackbone(config_, registries_, seed_));
    const int64_t width = backbone->OutputSpecs().back().channels;
    torch::nn::Sequential head;
    if (simclr_) {
      const int64_t hidden = pretrain_.GetInt("projection_hidden") > 0
                                 ? pretrain_.GetInt("projection_hidden")
                                 : width;
      head->push_back(torch::nn::Linear(width, hidden));
      head->push_back(torch::nn::ReLU());
      head->push_back(torch::nn::Linear(hidden, pretrain_.GetInt("projection_dim")));
    } else {
      head->push_back(torch::nn::Linear(width, num_classes));
    }
    STLAB_ASSIGN_OR_RETURN(init_origin_,
                           InitializeBackbone(config_, registries_, *backbone, seed_));
    STLAB_ASSIGN_OR_RETURN(const ConvLayout layout,
                           ParseConvLayout(config_.Section("model").GetString("memory_format")));
    net_ = std::make_shared<PretrainNet>(std::move(backbone), std::move(head), layout);
    LogInfo(absl::StrCat("pre-training (", Method(), "), backbone initialization: ", init_origin_));
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
    for (int view = 0; view < (simclr_ ? 2 : 1); ++view) {
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
    std::vector<Batch> batches;
    for (auto& loader : loaders_) {
      absl::StatusOr<Batch> batch = loader->Next();
      if (!batch.ok()) return Annotate(batch.status(), where);
      batches.push_back(*std::move(batch));
    }
    StepLoss step;
    if (simclr_) {
      const at::Tensor embeddings = net_->Forward(StackViews(batches[0].images, batches[1].images));
      step.loss = NtXentLoss(embeddings, pretrain_.GetFloat("temperature"));
      step.terms.emplace_back("nt_xent", step.loss.item<double>());
      return step;
    }
    STLAB_ASSIGN_OR_RETURN(const at::Tensor labels, BatchLabels(batches[0]));
    const at::Tensor logits = net_->Forward(batches[0].images);
    step.loss = at::cross_entropy_loss(logits, labels);
    step.terms.emplace_back("cross_entropy", step.loss.item<double>());
    step.values["accuracy"] = logits.argmax(1).eq(labels).to(at::kDouble).mean().item<double>();
    return step;
  }

  // Supervised: top-1 accuracy on data.val, unaugmented, in eval mode.
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
      STLAB_ASSIGN_OR_RETURN(const at::Tensor labels, BatchLabels(batch));
      correct += net_->Forward(batch.images).argmax(1).eq(labels).sum().item<int64_t>();
    }
    return Metrics{{"val_accuracy", static_cast<double>(correct) /
                                        static_cast<double>(std::max<int64_t>(val_data_->Size(), 1))}};
  }

  absl::Status WriteProducts(int64_t iteration, const RunState& provenance) override {
    (void)iteration;
    return SaveCheckpoint(files_.backbone(), BackboneHolder(net_->backbone()), nullptr,
                          provenance);
  }

  // "loss" and, supervised, "accuracy" (means over the last logged window), plus
  // "val_accuracy" with data.val.
  Metrics FinalMetrics(const Metrics& evaluation, const Metrics& last_window) override {
    Metrics metrics = evaluation;
    if (auto it = last_window.find(simclr_ ? "loss/nt_xent" : "loss/cross_entropy");
        it != last_window.end()) {
      metrics["loss"] = it->second;
    }
    if (auto it = last_window.find("accuracy"); it != last_window.end()) {
      metrics["accuracy"] = it->second;
    }
    return metrics;
  }

 private:
  const ValidatedConfig& config_;
  const Registries& registries_;
  const RunFiles& files_;
  const Params& train_;
  const Params& pretrain_;
  bool simclr_;
  uint64_t seed_;

  std::shared_ptr<const Dataset> train_data_;
  std::shared_ptr<const Dataset> val_data_;  // Supervised only.
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
