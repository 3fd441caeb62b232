// The training loop and its run folder.
#include "core/engine/trainer.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/data/data_loader.h"
#include "core/data/subset.h"
#include "core/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/evaluation.h"
#include "core/engine/task_model.h"
#include "core/logging.h"
#include "core/loss_combiner.h"
#include "core/rng.h"
#include "core/status.h"

namespace stlab {
namespace {

constexpr char kCombinerPrefix[] = "combiner/";

// The labeled subset: drawn once, persisted, and checked on resume.
absl::StatusOr<std::vector<int64_t>> LabeledSubset(const RunFiles& files, const Dataset& train,
                                                   const ValidatedConfig& config) {
  STLAB_ASSIGN_OR_RETURN(std::vector<int64_t> indices, LabeledIndices(config, train.Size()));
  std::error_code error;
  if (std::filesystem::exists(files.labeled_subset(), error)) {
    STLAB_ASSIGN_OR_RETURN(const std::vector<int64_t> stored, ReadSubset(files.labeled_subset()));
    if (stored != indices) {
      return absl::FailedPreconditionError(absl::StrCat(
          files.labeled_subset().string(),
          " differs from the subset the config draws now: data.train changed since the run "
          "started"));
    }
    return indices;
  }
  STLAB_RETURN_IF_ERROR(WriteSubset(files.labeled_subset(), indices));
  return indices;
}

// Supervised training of a detection or segmentation model, or a self-training
// student (TrainOptions::pseudo_labeled): its data, model and loss, on the run
// driver's loop.
class TaskStep : public StepPolicy {
 public:
  TaskStep(const ValidatedConfig& config, const Registries& registries, const RunFiles& files,
           const TrainOptions& options)
      : config_(config),
        registries_(registries),
        files_(files),
        options_(options),
        train_(config.Section("train")),
        seed_(static_cast<uint64_t>(config.Section("run").GetInt("seed"))) {}

  std::string Method() const override { return options_.pseudo_labeled ? "student" : "train"; }
  torch::nn::Module& Model() override { return *model_; }
  std::string InitOrigin() const override { return model_->init_origin(); }
  std::vector<std::filesystem::path> Products() const override { return {files_.final_model()}; }

  absl::Status Build() override {
    if (options_.pseudo_labeled) STLAB_RETURN_IF_ERROR(BuildStudent());
    STLAB_ASSIGN_OR_RETURN(train_data_, BuildDataset(config_, registries_, "data.train", seed_));
    STLAB_ASSIGN_OR_RETURN(val_data_, BuildDataset(config_, registries_, "data.val", seed_));
    if (val_data_ && config_.Component("eval.evaluator") == nullptr) {
      return absl::InvalidArgumentError("data.val is set but [eval.evaluator] is not");
    }
    STLAB_ASSIGN_OR_RETURN(labeled_,
                           LabeledSubset(files_, *train_data_, config_));
    STLAB_ASSIGN_OR_RETURN(augmentations_, BuildAugmentations(config_, registries_));
    STLAB_ASSIGN_OR_RETURN(model_, BuildTaskModel(config_, registries_, train_data_->Info(), seed_));
    LogInfo(absl::StrCat("backbone initialization: ", model_->init_origin()));
    LogInfo(absl::StrCat("convolution layout: ", ConvLayoutName(model_->conv_layout())));
    return absl::OkStatus();
  }

  absl::Status Restore(const RunState& state) override {
    if (!combiner_) return absl::OkStatus();
    ScalarState combiner_state;
    for (const auto& [key, value] : state.scalars) {
      if (key.rfind(kCombinerPrefix, 0) == 0) {
        combiner_state[key.substr(sizeof(kCombinerPrefix) - 1)] = value;
      }
    }
    return Annotate(combiner_->LoadState(combiner_state), "loss combiner");
  }

  void SaveState(RunState& state) override {
    if (!combiner_) return;
    for (const auto& [key, value] : combiner_->State()) {
      state.scalars[absl::StrCat(kCombinerPrefix, key)] = value;
    }
  }

  absl::Status Start(int64_t iteration) override {
    DataLoaderOptions loader_options;
    loader_options.batch_size = train_.GetInt("batch_size") - pseudo_batch_size_;
    loader_options.num_workers = static_cast<int>(train_.GetInt("num_workers"));
    loader_options.seed = seed_;
    loader_options.stage = StageKey("train");
    loader_options.size_divisor = model_->size_divisor();
    if (options_.pseudo_labeled) {
      DataLoaderOptions pseudo_options = loader_options;
      pseudo_options.batch_size = pseudo_batch_size_;
      pseudo_options.stage = StageKey("pseudo");
      std::vector<int64_t> all(static_cast<size_t>(options_.pseudo_labeled->Size()));
      for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
      absl::StatusOr<std::unique_ptr<DataLoader>> pseudo = DataLoader::Create(
          options_.pseudo_labeled, std::move(all), augmentations_, pseudo_options);
      if (!pseudo.ok()) return Annotate(pseudo.status(), "pseudo-labeled data");
      pseudo_loader_ = *std::move(pseudo);
      STLAB_RETURN_IF_ERROR(pseudo_loader_->Seek(iteration));
    }
    STLAB_ASSIGN_OR_RETURN(loader_, DataLoader::Create(train_data_, std::move(labeled_),
                                                       std::move(augmentations_), loader_options));
    // One batch per iteration: the data order resumes at the iteration.
    return loader_->Seek(iteration);
  }

  // The human batch's loss, or for a student the combination of the human and
  // pseudo-labeled batches' losses.
  absl::StatusOr<StepLoss> Step(int64_t iteration) override {
    StepLoss step;
    if (!pseudo_loader_) {
      STLAB_ASSIGN_OR_RETURN(step.loss, SourceLoss(*loader_, iteration, "", step));
      return step;
    }
    STLAB_ASSIGN_OR_RETURN(const at::Tensor human, SourceLoss(*loader_, iteration, "human/", step));
    STLAB_ASSIGN_OR_RETURN(const at::Tensor pseudo,
                           SourceLoss(*pseudo_loader_, iteration, "pseudo/", step));
    step.terms.emplace_back("human", human.item<double>());
    step.terms.emplace_back("pseudo", pseudo.item<double>());
    step.loss = combiner_->Combine(human, pseudo);
    for (const auto& [key, value] : combiner_->State()) {
      step.values[absl::StrCat(kCombinerPrefix, key)] = value;
    }
    return step;
  }

  absl::StatusOr<Metrics> Evaluate() override {
    if (!val_data_) return Metrics();
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Evaluator> evaluator,
                           BuildEvaluator(config_, registries_, val_data_->Info()));
    STLAB_ASSIGN_OR_RETURN(const EvaluationOptions options, EvaluationOptionsOf(config_));
    return EvaluateModel(*model_, *val_data_, *evaluator, options);
  }

  absl::Status WriteProducts(int64_t iteration, const RunState& provenance) override {
    (void)iteration;
    return SaveCheckpoint(files_.final_model(), *model_, nullptr, provenance);
  }

 private:
  absl::Status BuildStudent() {
    const ComponentConfig* combiner = config_.Component("self_training.loss_combiner");
    if (combiner == nullptr) {
      return absl::InvalidArgumentError("a student needs [self_training.loss_combiner]");
    }
    STLAB_ASSIGN_OR_RETURN(combiner_,
                           registries_.loss_combiners().Create(combiner->type, combiner->values));
    const int64_t batch_size = train_.GetInt("batch_size");
    if (batch_size < 2) {
      return absl::InvalidArgumentError("a student needs train.batch_size >= 2 (human + pseudo)");
    }
    const double share = config_.Section("self_training").GetFloat("pseudo_fraction");
    pseudo_batch_size_ = std::clamp<int64_t>(
        static_cast<int64_t>(std::llround(share * static_cast<double>(batch_size))), 1,
        batch_size - 1);
    return absl::OkStatus();
  }

  // The losses of one source's next batch, summed; each term goes to `step.terms`
  // as "<prefix><term>".
  absl::StatusOr<at::Tensor> SourceLoss(DataLoader& loader, int64_t iteration,
                                        const std::string& prefix, StepLoss& step) {
    absl::StatusOr<Batch> batch = loader.Next();
    if (!batch.ok()) return Annotate(batch.status(), absl::StrCat("iteration ", iteration));
    const LossTerms losses = model_->Loss(*batch);
    at::Tensor loss = at::zeros({});
    for (const auto& [name, value] : losses) {
      step.terms.emplace_back(absl::StrCat(prefix, name), value.item<double>());
      loss = loss + value;
    }
    return loss;
  }

  const ValidatedConfig& config_;
  const Registries& registries_;
  const RunFiles& files_;
  TrainOptions options_;
  const Params& train_;
  uint64_t seed_;

  std::shared_ptr<const Dataset> train_data_;
  std::shared_ptr<const Dataset> val_data_;
  std::vector<int64_t> labeled_;
  std::vector<std::shared_ptr<const Augmentation>> augmentations_;
  std::shared_ptr<TaskModel> model_;
  std::unique_ptr<DataLoader> loader_;
  std::unique_ptr<DataLoader> pseudo_loader_;  // Students only.
  std::shared_ptr<LossCombiner> combiner_;      // Students only.
  int64_t pseudo_batch_size_ = 0;
};

}  // namespace

absl::StatusOr<TrainResult> Train(const ValidatedConfig& config, const Registries& registries,
                                  const TrainOptions& options) {
  const RunFiles files(options.run_dir.empty() ? RunDirOf(config) : options.run_dir);
  TaskStep policy(config, registries, files, options);
  RunDriverOptions driver_options;
  driver_options.show_progress = options.show_progress;
  driver_options.iterations = options.iterations;
  STLAB_ASSIGN_OR_RETURN(RunDriverResult run, DriveRun(config, files, policy, driver_options));
  return TrainResult{run.iterations, run.resumed_from, std::move(run.metrics)};
}

}  // namespace stlab
