// The training loop every run shares.
#include "core/engine/run_driver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/engine/components.h"
#include "core/engine/ema.h"
#include "core/engine/lr_schedule.h"
#include "core/engine/metrics_log.h"
#include "core/engine/optimization.h"
#include "core/engine/progress.h"
#include "core/engine/provenance.h"
#include "core/engine/run_folder.h"
#include "core/logging.h"
#include "core/status.h"
#include "torch/nn/utils/clip_grad.h"
#include "torch/utils.h"

namespace stlab {
namespace {

constexpr char kEmaPrefix[] = "ema/";

std::string ResultJson(int64_t iterations, const std::string& method, const std::string& origin,
                       const Metrics& metrics) {
  return absl::StrCat("{\"iterations\": ", iterations, ", \"method\": ", JsonString(method),
                      ", \"init\": ", JsonString(origin), ", \"metrics\": ", MetricsJson(metrics),
                      "}\n");
}

// "AP 0.3310, AP50 0.5120": the metrics that are not per class (no '/').
std::string MetricsLine(const Metrics& metrics) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : metrics) {
    if (name.find('/') == std::string::npos) parts.push_back(absl::StrFormat("%s %.4f", name, value));
  }
  return absl::StrJoin(parts, ", ");
}

// While alive, `model` holds the EMA's averages instead of its trained weights,
// which come back on destruction (Detectron2's way of evaluating EMA weights,
// without a second model).
class EmaWeightsInModel {
 public:
  EmaWeightsInModel(const WeightEma* ema, torch::nn::Module& model) : model_(model) {
    if (ema == nullptr) return;
    torch::NoGradGuard no_grad;
    for (const auto& item : model.named_parameters()) saved_.emplace_back(item.value().clone());
    for (const auto& item : model.named_buffers()) saved_.emplace_back(item.value().clone());
    ema->CopyTo(model);
    swapped_ = true;
  }
  ~EmaWeightsInModel() {
    if (!swapped_) return;
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (const auto& item : model_.named_parameters()) item.value().copy_(saved_[i++]);
    for (const auto& item : model_.named_buffers()) item.value().copy_(saved_[i++]);
  }
  EmaWeightsInModel(const EmaWeightsInModel&) = delete;
  EmaWeightsInModel& operator=(const EmaWeightsInModel&) = delete;

 private:
  torch::nn::Module& model_;
  std::vector<at::Tensor> saved_;
  bool swapped_ = false;
};

class Driver {
 public:
  Driver(const ValidatedConfig& config, const RunFiles& files, StepPolicy& policy,
         const RunDriverOptions& options)
      : config_(config),
        files_(files),
        policy_(policy),
        options_(options),
        train_(config.Section("train")),
        total_(options.iterations > 0 ? options.iterations : train_.GetInt("iterations")) {}

  absl::StatusOr<RunDriverResult> Execute() {
    STLAB_RETURN_IF_ERROR(Setup());
    RunDriverResult result;
    result.iterations = total_;
    result.resumed_from = state_.iteration;
    if (state_.iteration > 0) {
      LogInfo(absl::StrCat("resuming ", files_.dir.string(), " at iteration ", state_.iteration,
                           " of ", total_));
    }
    if (state_.iteration >= total_) {
      result.metrics = FinalMetricsOf(state_);
      return result;
    }
    STLAB_RETURN_IF_ERROR(policy_.Start(state_.iteration));
    STLAB_ASSIGN_OR_RETURN(metrics_log_, MetricsLog::Open(files_.metrics(), state_.iteration));
    STLAB_RETURN_IF_ERROR(Loop());
    result.metrics = final_metrics_;
    return result;
  }

 private:
  bool Trained() const {
    if (HasRollingCheckpoint(files_.checkpoint())) return true;
    std::error_code error;
    for (const auto& product : policy_.Products()) {
      if (std::filesystem::exists(product, error)) return true;
    }
    return false;
  }

  absl::Status Setup() {
    std::error_code error;
    std::filesystem::create_directories(files_.dir, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot create run folder '", files_.dir.string(), "': ", error.message()));
    }
    STLAB_ASSIGN_OR_RETURN(lock_, RunFolderLock::Acquire(files_.dir));
    STLAB_RETURN_IF_ERROR(
        ClaimRunFolder(files_.dir, files_.config(), config_.ToToml(), Trained()));
    UseConfiguredThreads(config_);
    STLAB_RETURN_IF_ERROR(policy_.Build());
    torch::nn::Module& model = policy_.Model();
    model.train();
    optimizer_ = MakeOptimizer(train_, model);
    STLAB_ASSIGN_OR_RETURN(schedule_, ScheduleOf(train_));
    schedule_.total_iterations = total_;
    STLAB_RETURN_IF_ERROR(
        Annotate(ValidateLrSchedule(schedule_), absl::StrCat("[train] over ", total_, " iterations")));
    if (const double decay = train_.GetFloat("ema_decay"); decay > 0.0) ema_.emplace(model, decay);
    if (HasRollingCheckpoint(files_.checkpoint())) STLAB_RETURN_IF_ERROR(Restore());
    RecordProvenance(config_, policy_.Method(), policy_.InitOrigin(), state_);
    return absl::OkStatus();
  }

  absl::Status Restore() {
    STLAB_RETURN_IF_ERROR(
        LoadRollingCheckpoint(files_.checkpoint(), policy_.Model(), optimizer_.get(), &state_)
            .status());
    if (ema_) {
      std::map<std::string, at::Tensor> averages;
      for (const auto& [key, tensor] : state_.tensors) {
        if (key.rfind(kEmaPrefix, 0) == 0) averages[key.substr(sizeof(kEmaPrefix) - 1)] = tensor;
      }
      STLAB_RETURN_IF_ERROR(CallAndCatch("restoring the EMA weights", [&] {
        ema_->Restore(averages);
        return absl::OkStatus();
      }));
    }
    STLAB_RETURN_IF_ERROR(policy_.Restore(state_));
    RestoreTorchGeneratorState(state_);
    return absl::OkStatus();
  }

  absl::Status SaveState(int64_t iteration) {
    state_.iteration = iteration;
    state_.tensors.clear();
    if (ema_) {
      for (const auto& [name, average] : ema_->averages()) {
        state_.tensors[absl::StrCat(kEmaPrefix, name)] = average;
      }
    }
    policy_.SaveState(state_);
    StoreTorchGeneratorState(state_);
    return SaveRollingCheckpoint(files_.checkpoint(), policy_.Model(), optimizer_.get(), state_);
  }

  // Evaluates the weights that the run reports (the EMA's when there is one), logs
  // the metrics and returns them.
  absl::StatusOr<Metrics> Evaluate(int64_t iteration) {
    const auto begin = std::chrono::steady_clock::now();
    absl::StatusOr<Metrics> metrics;
    {
      EmaWeightsInModel weights(ema_ ? &*ema_ : nullptr, policy_.Model());
      metrics = CallAndCatch("evaluation", [&] { return policy_.Evaluate(); });
      policy_.Model().train();
    }
    if (!metrics.ok()) {
      return Annotate(metrics.status(), absl::StrCat("evaluation at iteration ", iteration));
    }
    if (metrics->empty()) return metrics;
    Metrics logged = *metrics;
    logged["time/eval_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    STLAB_RETURN_IF_ERROR(metrics_log_->Append("eval", iteration, logged));
    LogInfo(absl::StrCat("iteration ", iteration, ": ", MetricsLine(*metrics)));
    return metrics;
  }

  absl::Status Finish(int64_t done, const Metrics& last_window) {
    STLAB_ASSIGN_OR_RETURN(const Metrics evaluation, Evaluate(done));
    {
      EmaWeightsInModel weights(ema_ ? &*ema_ : nullptr, policy_.Model());
      STLAB_RETURN_IF_ERROR(policy_.WriteProducts(done, RunState{done, {}, state_.text, {}}));
    }
    final_metrics_ = policy_.FinalMetrics(evaluation, last_window);
    STLAB_RETURN_IF_ERROR(WriteFileAtomically(
        files_.result(),
        ResultJson(done, policy_.Method(), policy_.InitOrigin(), final_metrics_)));
    StoreFinalMetrics(final_metrics_, state_);
    return SaveState(done);
  }

  absl::Status NonFiniteLossError(int64_t iteration, const StepLoss& step) const {
    std::vector<std::string> terms;
    std::string bad;
    for (const auto& [name, value] : step.terms) {
      terms.push_back(absl::StrCat("'", name, "' = ", value));
      if (bad.empty() && !std::isfinite(value)) bad = name;
    }
    const std::string what =
        bad.empty() ? absl::StrCat("the combined loss (", step.loss.item<double>(), ")")
                    : absl::StrCat("term '", bad, "'");
    const std::string kept =
        state_.iteration > 0
            ? absl::StrCat("the last good checkpoint (iteration ", state_.iteration,
                           ") is kept in ", files_.checkpoint().string())
            : "no checkpoint was written yet";
    return absl::InternalError(absl::StrCat(
        "non-finite loss at iteration ", iteration, ": ", what, " (", absl::StrJoin(terms, ", "),
        "); ", kept, ". Lower train.lr, raise train.warmup_iterations or set train.grad_clip_norm"));
  }

  absl::Status Loop() {
    const int64_t log_every = train_.GetInt("log_every");
    const int64_t checkpoint_every = train_.GetInt("checkpoint_every");
    const int64_t eval_every = train_.GetInt("eval_every");
    const double clip = train_.GetFloat("grad_clip_norm");
    const int64_t batch_size = train_.GetInt("batch_size");
    torch::nn::Module& model = policy_.Model();
    std::optional<ProgressBar> bar;
    if (options_.show_progress) bar.emplace(state_.iteration, total_);
    auto finish_bar = [&] {
      if (bar) bar->Finish();
    };

    std::map<std::string, double> window;  // Sums since the last metrics line.
    Metrics last_window;                   // Means of the last metrics line.
    int64_t window_steps = 0;
    auto window_begin = std::chrono::steady_clock::now();
    for (int64_t iteration = state_.iteration; iteration < total_; ++iteration) {
      const int64_t done = iteration + 1;
      const double lr = LearningRateAt(schedule_, iteration);
      for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);

      absl::StatusOr<StepLoss> step = CallAndCatch(
          absl::StrCat("iteration ", done), [&] { return policy_.Step(done); });
      if (!step.ok()) {
        finish_bar();
        return step.status();
      }
      const double total_loss = step->loss.item<double>();
      if (!std::isfinite(total_loss)) {
        finish_bar();
        return NonFiniteLossError(done, *step);
      }
      for (const auto& [name, value] : step->terms) window[absl::StrCat("loss/", name)] += value;
      for (const auto& [name, value] : step->values) window[name] += value;
      window["loss/total"] += total_loss;

      optimizer_->zero_grad();
      step->loss.backward();
      if (clip > 0.0) {
        window["grad_norm"] += torch::nn::utils::clip_grad_norm_(model.parameters(), clip);
      }
      optimizer_->step();
      if (ema_) ema_->Update(model, iteration);
      ++window_steps;

      const bool log_now = done % log_every == 0 || done == total_;
      if (log_now) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - window_begin).count();
        Metrics values;
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
      if (bar) bar->Update(done, absl::StrFormat("loss %.4f lr %.2e", total_loss, lr), log_now);

      // Evaluation comes before the checkpoint of the same iteration, so that a run
      // killed in between repeats both (the metrics log drops lines after the
      // checkpoint it resumes from).
      if (done == total_) {
        finish_bar();
        return Finish(done, last_window);
      }
      if (eval_every > 0 && done % eval_every == 0) {
        finish_bar();
        STLAB_RETURN_IF_ERROR(Evaluate(done).status());
      }
      if (done % checkpoint_every == 0) STLAB_RETURN_IF_ERROR(SaveState(done));
    }
    return absl::OkStatus();
  }

  const ValidatedConfig& config_;
  const RunFiles& files_;
  StepPolicy& policy_;
  RunDriverOptions options_;
  const Params& train_;
  const int64_t total_;

  std::unique_ptr<RunFolderLock> lock_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LrScheduleOptions schedule_;
  std::optional<WeightEma> ema_;
  std::unique_ptr<MetricsLog> metrics_log_;
  RunState state_;
  Metrics final_metrics_;
};

}  // namespace

std::filesystem::path RunDirOf(const ValidatedConfig& config) {
  const Params& run = config.Section("run");
  return std::filesystem::path(run.GetString("output_dir")) / run.GetString("name");
}

absl::StatusOr<RunDriverResult> DriveRun(const ValidatedConfig& config, const RunFiles& files,
                                         StepPolicy& policy, const RunDriverOptions& options) {
  return CallAndCatch("training", [&]() -> absl::StatusOr<RunDriverResult> {
    return Driver(config, files, policy, options).Execute();
  });
}

}  // namespace stlab
