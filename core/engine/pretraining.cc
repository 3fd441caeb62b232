// The pre-training loop and its run folder.
#include "core/engine/pretraining.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ATen/ATen.h"
#include "ATen/Parallel.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/atomic_file.h"
#include "core/augmentation.h"
#include "core/backbone.h"
#include "core/data/batch.h"
#include "core/data/data_loader.h"
#include "core/engine/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/lr_schedule.h"
#include "core/engine/metrics_log.h"
#include "core/engine/nt_xent_loss.h"
#include "core/engine/optimization.h"
#include "core/engine/progress.h"
#include "core/engine/provenance.h"
#include "core/engine/run_folder.h"
#include "core/initializer.h"
#include "core/logging.h"
#include "core/rng.h"
#include "core/status.h"
#include "torch/nn/modules/activation.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/linear.h"
#include "torch/nn/utils/clip_grad.h"
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
  PretrainNet(std::shared_ptr<Backbone> backbone, torch::nn::Sequential head)
      : backbone_(register_module("backbone", std::move(backbone))),
        head_(register_module("head", std::move(head))),
        level_(backbone_->OutputSpecs().back().name) {}

  at::Tensor Forward(const at::Tensor& images) {
    const Features features = backbone_->Forward(images);
    return head_->forward(features.at(level_).mean({2, 3}));
  }

  const std::shared_ptr<Backbone>& backbone() const { return backbone_; }

 private:
  std::shared_ptr<Backbone> backbone_;
  torch::nn::Sequential head_;
  std::string level_;
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

std::string ResultJson(int64_t iterations, const std::string& method, const std::string& origin,
                       const Metrics& metrics) {
  return absl::StrCat("{\"iterations\": ", iterations, ", \"method\": ", JsonString(method),
                      ", \"init\": ", JsonString(origin), ", \"metrics\": ", MetricsJson(metrics),
                      "}\n");
}

class PretrainRun {
 public:
  PretrainRun(const ValidatedConfig& config, const Registries& registries,
              const PretrainOptions& options)
      : config_(config),
        registries_(registries),
        options_(options),
        files_(options.run_dir.empty() ? RunDirOf(config) : options.run_dir),
        train_(config.Section("train")),
        pretrain_(config.Section("pretrain")),
        simclr_(pretrain_.GetString("method") == "simclr"),
        seed_(static_cast<uint64_t>(config.Section("run").GetInt("seed"))) {}

  absl::StatusOr<PretrainResult> Execute() {
    STLAB_RETURN_IF_ERROR(Setup());
    const int64_t total = train_.GetInt("iterations");
    PretrainResult result;
    result.iterations = total;
    result.resumed_from = state_.iteration;
    if (state_.iteration > 0) {
      LogInfo(absl::StrCat("resuming ", files_.dir.string(), " at iteration ", state_.iteration,
                           " of ", total));
    }
    if (state_.iteration >= total) {
      result.metrics = FinalMetricsOf(state_);
      return result;
    }
    STLAB_RETURN_IF_ERROR(Loop(total));
    result.metrics = final_metrics_;
    return result;
  }

 private:
  absl::Status Setup() {
    std::error_code error;
    std::filesystem::create_directories(files_.dir, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot create run folder '", files_.dir.string(), "': ", error.message()));
    }
    STLAB_ASSIGN_OR_RETURN(lock_, RunFolderLock::Acquire(files_.dir));
    STLAB_RETURN_IF_ERROR(ClaimRunFolder(files_.dir, files_.config(), config_.ToToml(),
                                         HasRollingCheckpoint(files_.checkpoint())));
    UseConfiguredThreads(config_);
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
    STLAB_RETURN_IF_ERROR(BuildNet(num_classes));
    net_->train();
    optimizer_ = MakeOptimizer(train_, *net_);
    STLAB_ASSIGN_OR_RETURN(schedule_, ScheduleOf(train_));
    if (HasRollingCheckpoint(files_.checkpoint())) STLAB_RETURN_IF_ERROR(Restore());
    RecordProvenance(config_, pretrain_.GetString("method"), init_origin_, state_);

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
      STLAB_RETURN_IF_ERROR((*loader)->Seek(state_.iteration));
      loaders_.push_back(*std::move(loader));
    }
    size_divisor_ = loader_options.size_divisor;
    STLAB_ASSIGN_OR_RETURN(metrics_log_, MetricsLog::Open(files_.metrics(), state_.iteration));
    return absl::OkStatus();
  }

  absl::Status BuildNet(int64_t num_classes) {
    const ComponentConfig* backbone_config = config_.Component("model.backbone");
    if (backbone_config == nullptr) {
      return absl::InvalidArgumentError("pre-training needs [model.backbone]");
    }
    torch::manual_seed(DeriveSeed({seed_, StageKey("model")}));
    STLAB_ASSIGN_OR_RETURN(
        std::shared_ptr<Backbone> backbone,
        registries_.backbones().Create(backbone_config->type, backbone_config->values));
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
    if (const ComponentConfig* init_config = config_.Component("model.init")) {
      STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Initializer> init,
                             registries_.initializers().Create(init_config->type, init_config->values));
      STLAB_RETURN_IF_ERROR(Annotate(CallAndCatch("model.init",
                                                  [&] {
                                                    return init->Initialize(
                                                        *backbone,
                                                        DeriveSeed({seed_, StageKey("init")}));
                                                  }),
                                     absl::StrCat("model.init (", init_config->type, ")")));
      init_origin_ = init->Origin();
    }
    net_ = std::make_shared<PretrainNet>(std::move(backbone), std::move(head));
    LogInfo(absl::StrCat("pre-training (", pretrain_.GetString("method"), "), backbone "
                         "initialization: ", init_origin_));
    return absl::OkStatus();
  }

  absl::Status Restore() {
    STLAB_RETURN_IF_ERROR(
        LoadRollingCheckpoint(files_.checkpoint(), *net_, optimizer_.get(), &state_).status());
    RestoreTorchGeneratorState(state_);
    return absl::OkStatus();
  }

  absl::Status SaveState(int64_t iteration) {
    state_.iteration = iteration;
    state_.tensors.clear();
    StoreTorchGeneratorState(state_);
    return SaveRollingCheckpoint(files_.checkpoint(), *net_, optimizer_.get(), state_);
  }

  // The loss of the next batch; adds its terms to `window`.
  absl::StatusOr<at::Tensor> StepLoss(int64_t iteration, std::map<std::string, double>& window) {
    const std::string where = absl::StrCat("iteration ", iteration);
    std::vector<Batch> batches;
    for (auto& loader : loaders_) {
      absl::StatusOr<Batch> batch = loader->Next();
      if (!batch.ok()) return Annotate(batch.status(), where);
      batches.push_back(*std::move(batch));
    }
    return CallAndCatch(where, [&]() -> absl::StatusOr<at::Tensor> {
      if (simclr_) {
        const at::Tensor embeddings =
            net_->Forward(StackViews(batches[0].images, batches[1].images));
        const at::Tensor loss = NtXentLoss(embeddings, pretrain_.GetFloat("temperature"));
        window["loss/nt_xent"] += loss.item<double>();
        return loss;
      }
      STLAB_ASSIGN_OR_RETURN(const at::Tensor labels, BatchLabels(batches[0]));
      const at::Tensor logits = net_->Forward(batches[0].images);
      const at::Tensor loss = at::cross_entropy_loss(logits, labels);
      window["loss/cross_entropy"] += loss.item<double>();
      window["accuracy"] += logits.argmax(1).eq(labels).to(at::kDouble).mean().item<double>();
      return loss;
    });
  }

  // Top-1 accuracy on data.val, unaugmented, in eval mode.
  absl::StatusOr<double> ValAccuracy() {
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
    net_->train();
    return static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(val_data_->Size(), 1));
  }

  absl::Status Finish(int64_t done, const std::map<std::string, double>& last_window) {
    final_metrics_.clear();
    if (auto it = last_window.find(simclr_ ? "loss/nt_xent" : "loss/cross_entropy");
        it != last_window.end()) {
      final_metrics_["loss"] = it->second;
    }
    if (auto it = last_window.find("accuracy"); it != last_window.end()) {
      final_metrics_["accuracy"] = it->second;
    }
    if (val_data_) {
      STLAB_ASSIGN_OR_RETURN(final_metrics_["val_accuracy"],
                             CallAndCatch("validation accuracy", [&] { return ValAccuracy(); }));
      STLAB_RETURN_IF_ERROR(
          metrics_log_->Append("eval", done, {{"val_accuracy", final_metrics_["val_accuracy"]}}));
    }
    RunState backbone_state;
    backbone_state.iteration = done;
    backbone_state.text = state_.text;
    STLAB_RETURN_IF_ERROR(SaveCheckpoint(files_.backbone(), BackboneHolder(net_->backbone()),
                                         nullptr, backbone_state));
    STLAB_RETURN_IF_ERROR(WriteFileAtomically(
        files_.result(), ResultJson(done, pretrain_.GetString("method"), init_origin_,
                                    final_metrics_)));
    StoreFinalMetrics(final_metrics_, state_);
    return SaveState(done);
  }

  absl::Status Loop(int64_t total) {
    const int64_t log_every = train_.GetInt("log_every");
    const int64_t checkpoint_every = train_.GetInt("checkpoint_every");
    const double clip = train_.GetFloat("grad_clip_norm");
    const int64_t batch_size = train_.GetInt("batch_size");
    std::optional<ProgressBar> bar;
    if (options_.show_progress) bar.emplace(state_.iteration, total);

    std::map<std::string, double> window;  // Sums since the last metrics line.
    std::map<std::string, double> last_window;  // Means of the last metrics line.
    int64_t window_steps = 0;
    auto window_begin = std::chrono::steady_clock::now();
    for (int64_t iteration = state_.iteration; iteration < total; ++iteration) {
      const int64_t done = iteration + 1;
      const double lr = LearningRateAt(schedule_, iteration);
      for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);

      absl::StatusOr<at::Tensor> step_loss = StepLoss(done, window);
      if (!step_loss.ok()) {
        if (bar) bar->Finish();
        return step_loss.status();
      }
      const double value = step_loss->item<double>();
      if (!std::isfinite(value)) {
        if (bar) bar->Finish();
        return absl::InternalError(absl::StrCat(
            "non-finite loss at iteration ", done, " (", value, "); the last good checkpoint is ",
            state_.iteration > 0 ? files_.checkpoint().string() : "none",
            ". Lower train.lr, raise train.warmup_iterations or set train.grad_clip_norm"));
      }
      optimizer_->zero_grad();
      step_loss->backward();
      if (clip > 0.0) {
        window["grad_norm"] += torch::nn::utils::clip_grad_norm_(net_->parameters(), clip);
      }
      optimizer_->step();
      ++window_steps;

      const bool log_now = done % log_every == 0 || done == total;
      if (log_now) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - window_begin).count();
        std::map<std::string, double> values;
        for (const auto& [name, sum] : window) values[name] = sum / static_cast<double>(window_steps);
        last_window = values;
        values["lr"] = lr;
        values["time/seconds_per_iteration"] = seconds / static_cast<double>(window_steps);
        values["time/images_per_second"] =
            static_cast<double>(window_steps * batch_size) / std::max(seconds, 1e-9);
        STLAB_RETURN_IF_ERROR(metrics_log_->Append("train", done, values));
        window.clear();
        window_steps = 0;
        window_begin = std::chrono::steady_clock::now();
      }
      if (bar) bar->Update(done, absl::StrFormat("loss %.4f lr %.2e", value, lr), log_now);

      if (done == total) {
        if (bar) bar->Finish();
        STLAB_RETURN_IF_ERROR(Finish(done, last_window));
      } else if (done % checkpoint_every == 0) {
        STLAB_RETURN_IF_ERROR(SaveState(done));
      }
    }
    return absl::OkStatus();
  }

  const ValidatedConfig& config_;
  const Registries& registries_;
  PretrainOptions options_;
  PretrainFiles files_;
  const Params& train_;
  const Params& pretrain_;
  bool simclr_;
  uint64_t seed_;

  std::unique_ptr<RunFolderLock> lock_;
  std::shared_ptr<const Dataset> train_data_;
  std::shared_ptr<const Dataset> val_data_;  // Supervised only.
  std::shared_ptr<PretrainNet> net_;
  std::string init_origin_ = "construction (no [model.init])";
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LrScheduleOptions schedule_;
  std::vector<std::unique_ptr<DataLoader>> loaders_;  // One per view.
  int64_t size_divisor_ = 32;
  std::unique_ptr<MetricsLog> metrics_log_;
  RunState state_;
  Metrics final_metrics_;
};

}  // namespace

absl::StatusOr<PretrainResult> Pretrain(const ValidatedConfig& config,
                                        const Registries& registries,
                                        const PretrainOptions& options) {
  return CallAndCatch("pre-training", [&]() -> absl::StatusOr<PretrainResult> {
    return PretrainRun(config, registries, options).Execute();
  });
}

}  // namespace stlab
