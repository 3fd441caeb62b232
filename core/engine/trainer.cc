// The training loop and its run folder.
#include "core/engine/trainer.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "ATen/ATen.h"
#include "ATen/Parallel.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/data/data_loader.h"
#include "core/data/subset.h"
#include "core/engine/checkpoint.h"
#include "core/engine/components.h"
#include "core/engine/ema.h"
#include "core/engine/evaluation.h"
#include "core/engine/lr_schedule.h"
#include "core/engine/metrics_log.h"
#include "core/engine/optimization.h"
#include "core/engine/progress.h"
#include "core/engine/provenance.h"
#include "core/engine/run_folder.h"
#include "core/engine/task_model.h"
#include "core/logging.h"
#include "core/loss_combiner.h"
#include "core/rng.h"
#include "core/status.h"
#include "torch/nn/utils/clip_grad.h"

namespace stlab {
namespace {

constexpr char kEmaPrefix[] = "ema/";
constexpr char kCombinerPrefix[] = "combiner/";

// The labeled subset: drawn once, persisted, and checked on resume.
absl::StatusOr<std::vector<int64_t>> LabeledSubset(const RunFiles& files, const Dataset& train,
                                                   const Params& data) {
  STLAB_ASSIGN_OR_RETURN(std::vector<int64_t> indices,
                         NestedSubset(train.Size(), data.GetFloat("train_fraction"),
                                      static_cast<uint64_t>(data.GetInt("subset_seed"))));
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

std::string ResultJson(int64_t iterations, const std::string& init_origin, const Metrics& metrics) {
  return absl::StrCat("{\"iterations\": ", iterations, ", \"init\": ", JsonString(init_origin),
                      ", \"metrics\": ", MetricsJson(metrics), "}\n");
}

// The run's state while it trains.
class Run {
 public:
  Run(const ValidatedConfig& config, const Registries& registries, const TrainOptions& options)
      : config_(config),
        registries_(registries),
        options_(options),
        files_(options.run_dir.empty() ? RunDirOf(config) : options.run_dir),
        train_(config.Section("train")),
        seed_(static_cast<uint64_t>(config.Section("run").GetInt("seed"))) {}

  absl::StatusOr<TrainResult> Execute() {
    STLAB_RETURN_IF_ERROR(Setup());
    const int64_t total = TotalIterations();
    TrainResult result;
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
    if (options_.pseudo_labeled) STLAB_RETURN_IF_ERROR(SetupStudent());
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot create run folder '", files_.dir.string(), "': ", error.message()));
    }
    STLAB_ASSIGN_OR_RETURN(lock_, RunFolderLock::Acquire(files_.dir));
    STLAB_RETURN_IF_ERROR(ClaimRunFolder(files_.dir, files_.config(), config_.ToToml(),
                                         HasRollingCheckpoint(files_.checkpoint()) || std::filesystem::exists(files_.final_model(), error)));
    UseConfiguredThreads(config_);
    STLAB_ASSIGN_OR_RETURN(train_data_, BuildDataset(config_, registries_, "data.train", seed_));
    STLAB_ASSIGN_OR_RETURN(val_data_, BuildDataset(config_, registries_, "data.val", seed_));
    if (val_data_ && config_.Component("eval.evaluator") == nullptr) {
      return absl::InvalidArgumentError("data.val is set but [eval.evaluator] is not");
    }
    STLAB_ASSIGN_OR_RETURN(std::vector<int64_t> labeled,
                           LabeledSubset(files_, *train_data_, config_.Section("data")));
    STLAB_ASSIGN_OR_RETURN(auto augmentations, BuildAugmentations(config_, registries_));
    STLAB_ASSIGN_OR_RETURN(model_, BuildTaskModel(config_, registries_, train_data_->Info(), seed_));
    model_->train();
    LogInfo(absl::StrCat("backbone initialization: ", model_->init_origin()));
    LogInfo(absl::StrCat("convolution layout: ", ConvLayoutName(model_->conv_layout())));
    optimizer_ = MakeOptimizer(train_, *model_);
    STLAB_ASSIGN_OR_RETURN(schedule_, ScheduleOf(train_));
    schedule_.total_iterations = TotalIterations();
    STLAB_RETURN_IF_ERROR(
        Annotate(ValidateLrSchedule(schedule_), "[train] over the student's iterations"));
    if (const double decay = train_.GetFloat("ema_decay"); decay > 0.0) {
      ema_.emplace(*model_, decay);
      STLAB_ASSIGN_OR_RETURN(eval_model_,
                             BuildTaskModel(config_, registries_, train_data_->Info(), seed_));
    }
    if (HasRollingCheckpoint(files_.checkpoint())) STLAB_RETURN_IF_ERROR(Restore());
    RecordProvenance(config_, options_.pseudo_labeled ? "student" : "train", model_->init_origin(),
                     state_);

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
          options_.pseudo_labeled, std::move(all), augmentations, pseudo_options);
      if (!pseudo.ok()) return Annotate(pseudo.status(), "pseudo-labeled data");
      pseudo_loader_ = *std::move(pseudo);
      STLAB_RETURN_IF_ERROR(pseudo_loader_->Seek(state_.iteration));
    }
    STLAB_ASSIGN_OR_RETURN(loader_, DataLoader::Create(train_data_, std::move(labeled),
                                                       std::move(augmentations), loader_options));
    // One batch per iteration: the data order resumes at the iteration.
    STLAB_RETURN_IF_ERROR(loader_->Seek(state_.iteration));
    STLAB_ASSIGN_OR_RETURN(metrics_log_, MetricsLog::Open(files_.metrics(), state_.iteration));
    return absl::OkStatus();
  }

  int64_t TotalIterations() const {
    return options_.iterations > 0 ? options_.iterations : train_.GetInt("iterations");
  }

  absl::Status SetupStudent() {
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
        static_cast<int64_t>(std::llround(share * static_cast<double>(batch_size))), 1, batch_size - 1);
    return absl::OkStatus();
  }

  absl::Status Restore() {
    STLAB_RETURN_IF_ERROR(
        LoadRollingCheckpoint(files_.checkpoint(), *model_, optimizer_.get(), &state_).status());
    std::map<std::string, at::Tensor> averages;
    for (const auto& [key, tensor] : state_.tensors) {
      if (key.rfind(kEmaPrefix, 0) == 0) averages[key.substr(sizeof(kEmaPrefix) - 1)] = tensor;
    }
    if (ema_) {
      STLAB_RETURN_IF_ERROR(CallAndCatch("restoring the EMA weights", [&] {
        ema_->Restore(averages);
        return absl::OkStatus();
      }));
    }
    if (combiner_) {
      ScalarState combiner_state;
      for (const auto& [key, value] : state_.scalars) {
        if (key.rfind(kCombinerPrefix, 0) == 0) {
          combiner_state[key.substr(sizeof(kCombinerPrefix) - 1)] = value;
        }
      }
      STLAB_RETURN_IF_ERROR(Annotate(combiner_->LoadState(combiner_state), "loss combiner"));
    }
    RestoreTorchGeneratorState(state_);
    return absl::OkStatus();
  }

  absl::Status SaveState(int64_t iteration) {
    state_.iteration = iteration;
    if (combiner_) {
      for (const auto& [key, value] : combiner_->State()) {
        state_.scalars[absl::StrCat(kCombinerPrefix, key)] = value;
      }
    }
    state_.tensors.clear();
    if (ema_) {
      for (const auto& [name, average] : ema_->averages()) {
        state_.tensors[absl::StrCat(kEmaPrefix, name)] = average;
      }
    }
    StoreTorchGeneratorState(state_);
    return SaveRollingCheckpoint(files_.checkpoint(), *model_, optimizer_.get(), state_);
  }

  // The model whose weights are evaluated: the EMA copy when there is one.
  TaskModel& EvaluatedModel() {
    if (!ema_) return *model_;
    ema_->CopyTo(*eval_model_);
    return *eval_model_;
  }

  absl::StatusOr<Metrics> Evaluate(int64_t iteration) {
    if (!val_data_) return Metrics();
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<Evaluator> evaluator,
                           BuildEvaluator(config_, registries_, val_data_->Info()));
    EvaluationOptions options;
    options.batch_size = config_.Section("eval").GetInt("batch_size");
    const auto begin = std::chrono::steady_clock::now();
    absl::StatusOr<Metrics> metrics = EvaluateModel(EvaluatedModel(), *val_data_, *evaluator, options);
    if (!metrics.ok()) return Annotate(metrics.status(), absl::StrCat("evaluation at iteration ", iteration));
    Metrics logged = *metrics;
    logged["time/eval_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    STLAB_RETURN_IF_ERROR(metrics_log_->Append("eval", iteration, logged));
    std::vector<std::string> parts;
    for (const char* key : {"AP", "AP50", "mIoU", "pixel_accuracy"}) {
      if (auto it = metrics->find(key); it != metrics->end()) {
        parts.push_back(absl::StrFormat("%s %.4f", key, it->second));
      }
    }
    LogInfo(absl::StrCat("iteration ", iteration, ": ", absl::StrJoin(parts, ", ")));
    return metrics;
  }

  absl::Status NonFiniteLossError(int64_t iteration, const LossTerms& losses,
                                  const std::string& prefix) const {
    std::vector<std::string> terms;
    for (const auto& [name, value] : losses) {
      terms.push_back(absl::StrCat("'", name, "' = ", value.item<double>()));
    }
    std::string bad;
    for (const auto& [name, value] : losses) {
      if (!std::isfinite(value.item<double>())) {
        bad = name;
        break;
      }
    }
    const std::string kept =
        state_.iteration > 0
            ? absl::StrCat("the last good checkpoint (iteration ", state_.iteration, ") is kept in ",
                           files_.checkpoint().string())
            : "no checkpoint was written yet";
    return absl::InternalError(absl::StrCat(
        "non-finite loss at iteration ", iteration, ": term '", prefix, bad, "' (",
        absl::StrJoin(terms, ", "),
        "); ", kept, ". Lower train.lr, raise train.warmup_iterations or set train.grad_clip_norm"));
  }

  // The losses of one source's next batch, summed; each term is added to `window`
  // under "loss/<prefix><term>".
  absl::StatusOr<at::Tensor> SourceLoss(DataLoader& loader, int64_t iteration,
                                        const std::string& prefix,
                                        std::map<std::string, double>& window) {
    absl::StatusOr<Batch> batch = loader.Next();
    if (!batch.ok()) return Annotate(batch.status(), absl::StrCat("iteration ", iteration));
    absl::StatusOr<LossTerms> losses = CallAndCatch(
        absl::StrCat("iteration ", iteration), [&]() -> absl::StatusOr<LossTerms> {
          return model_->Loss(*batch);
        });
    if (!losses.ok()) return losses.status();
    at::Tensor loss = at::zeros({});
    bool finite = true;
    for (const auto& [name, value] : *losses) {
      const double v = value.item<double>();
      finite = finite && std::isfinite(v);
      window[absl::StrCat("loss/", prefix, name)] += v;
      loss = loss + value;
    }
    if (!finite) return NonFiniteLossError(iteration, *losses, prefix);
    return loss;
  }

  // The loss to back-propagate at `iteration`: the human batch's, or for a student
  // the combination of the human and pseudo-labeled batches' losses.
  absl::StatusOr<at::Tensor> StepLoss(int64_t iteration, std::map<std::string, double>& window) {
    if (!pseudo_loader_) return SourceLoss(*loader_, iteration, "", window);
    STLAB_ASSIGN_OR_RETURN(const at::Tensor human, SourceLoss(*loader_, iteration, "human/", window));
    STLAB_ASSIGN_OR_RETURN(const at::Tensor pseudo,
                           SourceLoss(*pseudo_loader_, iteration, "pseudo/", window));
    window["loss/human"] += human.item<double>();
    window["loss/pseudo"] += pseudo.item<double>();
    const at::Tensor combined = combiner_->Combine(human, pseudo);
    for (const auto& [key, value] : combiner_->State()) window[absl::StrCat(kCombinerPrefix, key)] += value;
    return combined;
  }

  absl::Status Loop(int64_t total) {
    const int64_t log_every = train_.GetInt("log_every");
    const int64_t checkpoint_every = train_.GetInt("checkpoint_every");
    const int64_t eval_every = train_.GetInt("eval_every");
    const double clip = train_.GetFloat("grad_clip_norm");
    const int64_t batch_size = train_.GetInt("batch_size");
    std::optional<ProgressBar> bar;
    if (options_.show_progress) bar.emplace(state_.iteration, total);

    std::map<std::string, double> window;  // Loss sums since the last metrics line.
    int64_t window_steps = 0;
    auto window_begin = std::chrono::steady_clock::now();
    double last_total = 0.0;
    for (int64_t iteration = state_.iteration; iteration < total; ++iteration) {
      const int64_t done = iteration + 1;
      const double lr = LearningRateAt(schedule_, iteration);
      for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);

      absl::StatusOr<at::Tensor> step_loss = StepLoss(done, window);
      if (!step_loss.ok()) {
        if (bar) bar->Finish();
        return step_loss.status();
      }
      const at::Tensor loss = *step_loss;
      last_total = loss.item<double>();
      window["loss/total"] += last_total;

      optimizer_->zero_grad();
      loss.backward();
      if (clip > 0.0) {
        window["grad_norm"] += torch::nn::utils::clip_grad_norm_(model_->parameters(), clip);
      }
      optimizer_->step();
      if (ema_) ema_->Update(*model_, iteration);
      ++window_steps;

      const bool log_now = done % log_every == 0 || done == total;
      if (log_now) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - window_begin).count();
        std::map<std::string, double> values;
        for (const auto& [name, sum] : window) values[name] = sum / static_cast<double>(window_steps);
        values["lr"] = lr;
        values["time/seconds_per_iteration"] = seconds / static_cast<double>(window_steps);
        values["time/images_per_second"] =
            static_cast<double>(window_steps * batch_size) / std::max(seconds, 1e-9);
        STLAB_RETURN_IF_ERROR(metrics_log_->Append("train", done, values));
        window.clear();
        window_steps = 0;
        window_begin = std::chrono::steady_clock::now();
      }
      if (bar) bar->Update(done, absl::StrFormat("loss %.4f lr %.2e", last_total, lr), log_now);

      // Evaluation comes before the checkpoint of the same iteration, so that a run
      // killed in between repeats both (the metrics log drops lines after the
      // checkpoint it resumes from).
      if (done == total) {
        if (bar) bar->Finish();
        STLAB_ASSIGN_OR_RETURN(final_metrics_, Evaluate(done));
        STLAB_RETURN_IF_ERROR(SaveCheckpoint(files_.final_model(), EvaluatedModel(), nullptr,
                                             RunState{done, {}, state_.text, {}}));
        STLAB_RETURN_IF_ERROR(WriteFileAtomically(files_.result(), ResultJson(done, model_->init_origin(), final_metrics_)));
        StoreFinalMetrics(final_metrics_, state_);
        STLAB_RETURN_IF_ERROR(SaveState(done));
      } else {
        if (eval_every > 0 && done % eval_every == 0) {
          if (bar) bar->Finish();
          STLAB_RETURN_IF_ERROR(Evaluate(done).status());
        }
        if (done % checkpoint_every == 0) STLAB_RETURN_IF_ERROR(SaveState(done));
      }
    }
    return absl::OkStatus();
  }

  const ValidatedConfig& config_;
  const Registries& registries_;
  TrainOptions options_;
  RunFiles files_;
  const Params& train_;
  uint64_t seed_;

  std::unique_ptr<RunFolderLock> lock_;
  std::shared_ptr<const Dataset> train_data_;
  std::shared_ptr<const Dataset> val_data_;
  std::shared_ptr<TaskModel> model_;
  std::shared_ptr<TaskModel> eval_model_;  // EMA weights are copied here to evaluate.
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LrScheduleOptions schedule_;
  std::optional<WeightEma> ema_;
  std::unique_ptr<DataLoader> loader_;
  std::unique_ptr<DataLoader> pseudo_loader_;  // Students only.
  std::shared_ptr<LossCombiner> combiner_;      // Students only.
  int64_t pseudo_batch_size_ = 0;
  std::unique_ptr<MetricsLog> metrics_log_;
  RunState state_;
  Metrics final_metrics_;
};

}  // namespace

std::filesystem::path RunDirOf(const ValidatedConfig& config) {
  const Params& run = config.Section("run");
  return std::filesystem::path(run.GetString("output_dir")) / run.GetString("name");
}

absl::StatusOr<TrainResult> Train(const ValidatedConfig& config, const Registries& registries,
                                  const TrainOptions& options) {
  return CallAndCatch("training", [&]() -> absl::StatusOr<TrainResult> {
    return Run(config, registries, options).Execute();
  });
}

}  // namespace stlab
