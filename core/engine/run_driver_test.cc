#include "core/engine/run_driver.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/rng.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"
#include "torch/nn/modules/linear.h"
#include "torch/utils.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;

// The engine's [run] and [train] sections alone: the driver reads nothing else.
ConfigSchema DriverSchema() {
  ConfigSchema schema;
  for (const SectionSpec& section : ExperimentSchema().sections) {
    if (section.name == "run" || section.name == "train") schema.sections.push_back(section);
  }
  return schema;
}

// A config file in `dir`, with `train_keys` added to [train].
ValidatedConfig Config(const std::filesystem::path& dir, const std::string& train_keys) {
  static int files = 0;
  const auto file = WriteFile(dir / absl::StrCat("config", ++files, ".toml"),
                              absl::StrCat("[run]\nseed = 3\n[train]\niterations = 12\n"
                                           "batch_size = 4\nlr = 0.05\nwarmup_iterations = 0\n"
                                           "log_every = 4\ncheckpoint_every = 5\nnum_workers = 0\n",
                                           train_keys));
  absl::StatusOr<ConfigDocument> document = ConfigDocument::Load(file);
  EXPECT_THAT(document, IsOk());
  static const Registries* const kRegistries = new Registries();
  absl::StatusOr<ValidatedConfig> config = ValidateConfig(*document, DriverSchema(), *kRegistries);
  EXPECT_THAT(config, IsOk());
  return *config;
}

// A fake method: fits y = 2 x0 - x1 with a linear model on batches drawn from the
// run's seed and the iteration, so that a resumed run sees the batches of a run
// that never stopped. Records what the driver calls.
class LinearFit : public StepPolicy {
 public:
  explicit LinearFit(const RunFiles& files) : files_(files) {}

  std::string Method() const override { return "linear_fit"; }
  absl::Status Build() override {
    ++builds;
    torch::manual_seed(7);
    model_ = torch::nn::Linear(2, 1);
    return absl::OkStatus();
  }
  torch::nn::Module& Model() override { return *model_; }
  std::string InitOrigin() const override { return "fake init"; }
  std::vector<std::filesystem::path> Products() const override { return {Product()}; }

  absl::Status Start(int64_t iteration) override {
    started_at = iteration;
    return absl::OkStatus();
  }

  absl::StatusOr<StepLoss> Step(int64_t iteration) override {
    if (iteration == fail_at) return absl::CancelledError("killed");
    Rng rng(DeriveSeed({3, static_cast<uint64_t>(iteration)}));
    std::vector<float> x;
    for (int i = 0; i < 8; ++i) x.push_back(static_cast<float>(rng.Uniform(-1.0, 1.0)));
    const at::Tensor inputs = at::tensor(x).view({4, 2});
    const at::Tensor targets = inputs.select(1, 0) * 2 - inputs.select(1, 1);
    StepLoss step;
    step.loss = (model_->forward(inputs).squeeze(1) - targets).pow(2).mean();
    if (iteration == nan_at) step.loss = step.loss * std::numeric_limits<double>::quiet_NaN();
    step.terms.emplace_back("mse", step.loss.item<double>());
    step.values["one"] = 1.0;
    last_step_weights.push_back(model_->weight.clone());
    return step;
  }

  absl::StatusOr<Metrics> Evaluate() override {
    ++evaluations;
    return Metrics{{"w0", model_->weight[0][0].item<double>()}};
  }

  absl::Status WriteProducts(int64_t iteration, const RunState& provenance) override {
    EXPECT_THAT(provenance.text.at("method"), Eq("linear_fit"));
    return WriteFile(Product(), absl::StrCat(iteration, " ", model_->weight[0][0].item<double>())).empty()
               ? absl::InternalError("not written")
               : absl::OkStatus();
  }

  Metrics FinalMetrics(const Metrics& evaluation, const Metrics& last_window) override {
    Metrics metrics = evaluation;
    metrics["last_mse"] = last_window.at("loss/mse");
    metrics["last_one"] = last_window.at("one");
    return metrics;
  }

  std::filesystem::path Product() const { return files_.dir / "product.txt"; }
  at::Tensor weight() const { return model_->weight.clone(); }

  int64_t fail_at = -1;
  int64_t nan_at = -1;
  int builds = 0;
  int evaluations = 0;
  int64_t started_at = -1;
  std::vector<at::Tensor> last_step_weights;

 private:
  const RunFiles& files_;
  torch::nn::Linear model_{nullptr};
};

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

RunDriverOptions Quiet() {
  RunDriverOptions options;
  options.show_progress = false;
  return options;
}

TEST(RunDriverTest, TrainsLogsEvaluatesAndWritesTheRunFolder) {
  const std::filesystem::path dir = FreshTestDir();
  const ValidatedConfig config = Config(dir, "");
  const RunFiles files(dir / "run");
  LinearFit fit(files);
  absl::StatusOr<RunDriverResult> result = DriveRun(config, files, fit, Quiet());
  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(result->iterations, Eq(12));
  EXPECT_THAT(result->resumed_from, Eq(0));
  EXPECT_THAT(fit.started_at, Eq(0));
  EXPECT_THAT(fit.evaluations, Eq(1));
  EXPECT_THAT(result->metrics, ElementsAre(Key("last_mse"), Key("last_one"), Key("w0")));
  EXPECT_THAT(result->metrics.at("last_one"), Eq(1.0));
  // The loss falls: the optimizer steps with [train]'s learning rate.
  EXPECT_LT(result->metrics.at("last_mse"), 0.5);

  EXPECT_TRUE(std::filesystem::exists(files.config()));
  EXPECT_TRUE(std::filesystem::exists(files.checkpoint()));
  EXPECT_THAT(ReadText(fit.Product()), HasSubstr("12 "));
  const std::string json = ReadText(files.result());
  EXPECT_THAT(json, HasSubstr("\"iterations\": 12, \"method\": \"linear_fit\", \"init\": \"fake init\""));
  // A train line per train.log_every and at the end, then the final evaluation.
  const std::vector<std::string> lines = Lines(files.metrics());
  ASSERT_THAT(lines.size(), Eq(4u));
  EXPECT_THAT(lines[0], HasSubstr("\"iteration\": 4"));
  EXPECT_THAT(lines[0], HasSubstr("\"loss/mse\""));
  EXPECT_THAT(lines[0], HasSubstr("\"loss/total\""));
  EXPECT_THAT(lines[0], HasSubstr("\"lr\""));
  EXPECT_THAT(lines[3], HasSubstr("\"eval\""));
  EXPECT_THAT(lines[3], HasSubstr("\"w0\""));

  // Started again, the finished run reports its metrics without training.
  LinearFit again(files);
  absl::StatusOr<RunDriverResult> rerun = DriveRun(config, files, again, Quiet());
  ASSERT_THAT(rerun, IsOk());
  EXPECT_THAT(rerun->metrics, Eq(result->metrics));
  EXPECT_THAT(again.started_at, Eq(-1));
  EXPECT_THAT(again.evaluations, Eq(0));
}

TEST(RunDriverTest, AResumedRunEndsWithTheWeightsOfOneThatNeverStopped) {
  const std::filesystem::path dir = FreshTestDir();
  const ValidatedConfig config = Config(dir, "");
  const RunFiles straight_files(dir / "straight");
  LinearFit straight(straight_files);
  ASSERT_THAT(DriveRun(config, straight_files, straight, Quiet()), IsOk());

  const RunFiles killed_files(dir / "killed");
  LinearFit killed(killed_files);
  killed.fail_at = 8;  // After the checkpoint of iteration 5.
  EXPECT_THAT(DriveRun(config, killed_files, killed, Quiet()),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("killed")));
  LinearFit resumed(killed_files);
  absl::StatusOr<RunDriverResult> result = DriveRun(config, killed_files, resumed, Quiet());
  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(result->resumed_from, Eq(5));
  EXPECT_THAT(resumed.started_at, Eq(5));
  EXPECT_TRUE(at::equal(resumed.weight(), straight.weight()));
  EXPECT_THAT(ReadText(killed_files.result()), Eq(ReadText(straight_files.result())));
}

TEST(RunDriverTest, ANonFiniteLossNamesTheIterationAndTermAndKeepsTheCheckpoint) {
  const std::filesystem::path dir = FreshTestDir();
  const ValidatedConfig config = Config(dir, "");
  const RunFiles files(dir / "run");
  LinearFit fit(files);
  fit.nan_at = 7;
  EXPECT_THAT(DriveRun(config, files, fit, Quiet()),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("non-finite loss at iteration 7: term 'mse'"),
                             HasSubstr("(iteration 5) is kept in"),
                             HasSubstr("train.grad_clip_norm"))));
  EXPECT_TRUE(std::filesystem::exists(files.checkpoint()));
  EXPECT_FALSE(std::filesystem::exists(files.result()));
}

TEST(RunDriverTest, EmaWeightsAreEvaluatedAndWrittenWithoutDisturbingTraining) {
  // The same run with and without evaluations every 3 iterations: the EMA weights
  // are swapped in for each evaluation and back out, so training is unchanged.
  const std::filesystem::path dir = FreshTestDir();
  const ValidatedConfig evaluated = Config(dir, "ema_decay = 0.9\neval_every = 3\n");
  const ValidatedConfig plain = Config(dir, "ema_decay = 0.9\n");
  const RunFiles evaluated_files(dir / "evaluated");
  const RunFiles plain_files(dir / "plain");
  LinearFit with_evaluations(evaluated_files);
  LinearFit without(plain_files);
  absl::StatusOr<RunDriverResult> result =
      DriveRun(evaluated, evaluated_files, with_evaluations, Quiet());
  ASSERT_THAT(result, IsOk());
  ASSERT_THAT(DriveRun(plain, plain_files, without, Quiet()), IsOk());
  EXPECT_THAT(with_evaluations.evaluations, Eq(4));  // At 3, 6, 9 and the end.
  ASSERT_THAT(with_evaluations.last_step_weights.size(), Eq(without.last_step_weights.size()));
  for (size_t i = 0; i < without.last_step_weights.size(); ++i) {
    EXPECT_TRUE(at::equal(with_evaluations.last_step_weights[i], without.last_step_weights[i]))
        << "step " << i + 1;
  }
  EXPECT_TRUE(at::equal(with_evaluations.weight(), without.weight()));
  // What was evaluated (and written) is the average, not the last weights.
  EXPECT_THAT(result->metrics.at("w0"), Not(Eq(with_evaluations.weight()[0][0].item<double>())));
  EXPECT_THAT(ReadText(with_evaluations.Product()),
              HasSubstr(absl::StrCat(result->metrics.at("w0")).substr(0, 6)));
}

TEST(RunDriverTest, AFolderOfAnotherConfigIsRefusedOnceItHasTrained) {
  const std::filesystem::path dir = FreshTestDir();
  const RunFiles files(dir / "run");
  LinearFit first(files);
  ASSERT_THAT(DriveRun(Config(dir, ""), files, first, Quiet()), IsOk());
  LinearFit second(files);
  EXPECT_THAT(DriveRun(Config(dir, "grad_clip_norm = 1.0\n"), files, second, Quiet()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("train.grad_clip_norm")));
  EXPECT_THAT(second.builds, Eq(0));
}

}  // namespace
}  // namespace stlab
