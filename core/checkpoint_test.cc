#include "core/checkpoint.h"

#include <fstream>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/linear.h"
#include "torch/optim/sgd.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

struct NetImpl : torch::nn::Module {
  explicit NetImpl(int64_t width = 4) {
    fc = register_module("fc", torch::nn::Linear(3, width));
    bn = register_module("bn", torch::nn::BatchNorm1d(width));
  }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

// One SGD-with-momentum step on fixed data, so the optimizer has state.
void Step(NetImpl& net, torch::optim::SGD& sgd) {
  sgd.zero_grad();
  net.bn->forward(net.fc->forward(at::ones({5, 3}))).pow(2).sum().backward();
  sgd.step();
}

TEST(CheckpointTest, RoundTripRestoresModelOptimizerAndStateExactly) {
  const auto file = stlab::testing::FreshTestDir() / "ckpt" / "last.pt";
  NetImpl a;
  torch::optim::SGD sgd_a(a.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  Step(a, sgd_a);
  RunState saved{7, {{"mean_human", 1.25}}, {{"init", "random"}}, {{"ema/w", at::arange(4.0)}}};
  ASSERT_THAT(SaveCheckpoint(file, a, &sgd_a, saved), IsOk());

  NetImpl b;
  torch::optim::SGD sgd_b(b.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  RunState loaded;
  ASSERT_THAT(LoadCheckpoint(file, b, &sgd_b, &loaded), IsOk());
  EXPECT_EQ(loaded.iteration, 7);
  EXPECT_EQ(loaded.scalars.at("mean_human"), 1.25);
  EXPECT_EQ(loaded.text.at("init"), "random");
  EXPECT_TRUE(at::equal(loaded.tensors.at("ema/w"), at::arange(4.0)));
  EXPECT_TRUE(at::equal(a.fc->weight, b.fc->weight));
  EXPECT_TRUE(at::equal(a.bn->running_mean, b.bn->running_mean));
  // The momentum buffers came back too: the next step is identical.
  Step(a, sgd_a);
  Step(b, sgd_b);
  EXPECT_TRUE(at::equal(a.fc->weight, b.fc->weight));
}

TEST(CheckpointTest, ReadCheckpointGivesModelTensorsAndStateWithoutAModel) {
  const auto file = stlab::testing::FreshTestDir() / "read.pt";
  NetImpl net;
  RunState saved{12, {{"loss", 0.5}}, {{"method", "train"}}, {}};
  ASSERT_THAT(SaveCheckpoint(file, net, nullptr, saved), IsOk());
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::StatusOr<CheckpointContents> contents = ReadCheckpoint(bytes, file);
  ASSERT_THAT(contents, IsOk());
  EXPECT_EQ(contents->state.iteration, 12);
  EXPECT_EQ(contents->state.scalars.at("loss"), 0.5);
  EXPECT_EQ(contents->state.text.at("method"), "train");
  EXPECT_TRUE(at::equal(contents->model.at("fc.weight"), net.fc->weight));
  EXPECT_TRUE(at::equal(contents->model.at("bn.running_var"), net.bn->running_var));
  EXPECT_EQ(contents->model.size(), 7u);  // fc: 2; bn: 2 parameters, 3 buffers.
  EXPECT_THAT(ReadCheckpoint("not a checkpoint", "junk.pt"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("checkpoint 'junk.pt' is not an stlab checkpoint")));
}

TEST(CheckpointTest, ShapeMismatchAndGarbageAreErrors) {
  const auto dir = stlab::testing::FreshTestDir();
  NetImpl narrow(4);
  ASSERT_THAT(SaveCheckpoint(dir / "n.pt", narrow, nullptr, {}), IsOk());
  NetImpl wide(6);
  const at::Tensor before = wide.fc->weight.clone();
  EXPECT_THAT(LoadCheckpoint(dir / "n.pt", wide, nullptr, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("fc.weight has shape [4, 3] in the file but [6, 3] in the model")));
  EXPECT_TRUE(at::equal(before, wide.fc->weight));  // All or nothing.
  stlab::testing::WriteFile(dir / "junk.pt", "not a checkpoint");
  EXPECT_THAT(LoadCheckpoint(dir / "junk.pt", narrow, nullptr, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("junk.pt")));
  EXPECT_THAT(LoadCheckpoint(dir / "absent.pt", narrow, nullptr, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("absent.pt")));
  torch::optim::SGD sgd(narrow.parameters(), torch::optim::SGDOptions(0.1));
  EXPECT_THAT(LoadCheckpoint(dir / "n.pt", narrow, &sgd, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no optimizer state")));
}

std::string ReadBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Issue 20, defect 3: flipped bytes in a checkpoint were loaded silently (AP 0,
// rc 0; a resume went on from damaged weights).
TEST(CheckpointTest, DamagedFilesAreDataLossAndRestoreNothing) {
  const auto dir = stlab::testing::FreshTestDir();
  NetImpl saved_net(64);
  ASSERT_THAT(SaveCheckpoint(dir / "good.pt", saved_net, nullptr, {}), IsOk());
  const std::string good = ReadBytes(dir / "good.pt");
  EXPECT_EQ(good.rfind("STLABCKPT v2 bytes=", 0), 0u);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x5a;
  stlab::testing::WriteFile(dir / "flipped.pt", flipped);
  stlab::testing::WriteFile(dir / "short.pt", good.substr(0, good.size() - 100));
  std::string bad_header = good;
  bad_header[14] = 'x';
  stlab::testing::WriteFile(dir / "header.pt", bad_header);
  NetImpl net(64);
  const at::Tensor before = net.fc->weight.clone();
  EXPECT_THAT(LoadCheckpoint(dir / "flipped.pt", net, nullptr, nullptr),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("checkpoint '" + (dir / "flipped.pt").string() +
                                 "' is damaged: its SHA-256 differs")));
  EXPECT_THAT(LoadCheckpoint(dir / "short.pt", net, nullptr, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
  EXPECT_THAT(LoadCheckpoint(dir / "header.pt", net, nullptr, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("header is unreadable")));
  EXPECT_THAT(ReadCheckpoint(flipped, "flipped.pt"), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("flipped.pt")));
  EXPECT_TRUE(at::equal(before, net.fc->weight));
  // A v1 file (a bare LibTorch archive) is named as such.
  EXPECT_THAT(ReadCheckpoint(good.substr(good.find('\n') + 1), "old.pt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("format v1")));
  EXPECT_THAT(LoadCheckpoint(dir, net, nullptr, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
}

TEST(CheckpointTest, RollingCheckpointFallsBackToThePreviousWhenTheLatestIsDamaged) {
  const auto dir = stlab::testing::FreshTestDir();
  const auto file = dir / "checkpoint.pt";
  EXPECT_EQ(PreviousCheckpointPath(file), dir / "checkpoint.previous.pt");
  EXPECT_FALSE(HasRollingCheckpoint(file));
  NetImpl a;
  ASSERT_THAT(SaveRollingCheckpoint(file, a, nullptr, RunState{100, {}, {}, {}}), IsOk());
  const at::Tensor first = a.fc->weight.clone();
  {
    torch::NoGradGuard no_grad;
    a.fc->weight.add_(1.0);
  }
  ASSERT_THAT(SaveRollingCheckpoint(file, a, nullptr, RunState{200, {}, {}, {}}), IsOk());
  ASSERT_TRUE(std::filesystem::exists(PreviousCheckpointPath(file)));

  NetImpl b;
  RunState state;
  EXPECT_THAT(LoadRollingCheckpoint(file, b, nullptr, &state), IsOk());
  EXPECT_EQ(state.iteration, 200);
  std::string bytes = ReadBytes(file);
  bytes[bytes.size() - 300] ^= 1;
  stlab::testing::WriteFile(file, bytes);
  absl::StatusOr<std::filesystem::path> used = LoadRollingCheckpoint(file, b, nullptr, &state);
  ASSERT_THAT(used, IsOk());
  EXPECT_EQ(*used, PreviousCheckpointPath(file));
  EXPECT_EQ(state.iteration, 100);
  EXPECT_TRUE(at::equal(b.fc->weight, first));
  // Killed between keeping the previous and writing the latest.
  std::filesystem::remove(file);
  EXPECT_TRUE(HasRollingCheckpoint(file));
  EXPECT_THAT(LoadRollingCheckpoint(file, b, nullptr, &state), IsOk());
  // Both damaged: an error naming both; another model's checkpoint: no fallback.
  stlab::testing::WriteFile(file, bytes);
  stlab::testing::WriteFile(PreviousCheckpointPath(file), bytes);
  EXPECT_THAT(LoadRollingCheckpoint(file, b, nullptr, &state),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("and the one before")));
  NetImpl wide(6);
  ASSERT_THAT(SaveRollingCheckpoint(file, a, nullptr, {}), IsOk());
  EXPECT_THAT(LoadRollingCheckpoint(file, wide, nullptr, &state),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not fit")));
}

}  // namespace
}  // namespace stlab

namespace stlab {
namespace {

TEST(RunStateTest, FinalMetricsRoundTripBesideOtherScalars) {
  RunState state;
  state.scalars["combiner/mean_human"] = 2.0;
  StoreFinalMetrics({{"AP", 0.25}, {"AP50", 0.5}}, state);
  EXPECT_EQ(FinalMetricsOf(state), (std::map<std::string, double>{{"AP", 0.25}, {"AP50", 0.5}}));
  EXPECT_TRUE(FinalMetricsOf(RunState()).empty());
}

TEST(RunStateTest, TorchGeneratorStateRestoresTheSameDraws) {
  RunState state;
  torch::manual_seed(3);
  StoreTorchGeneratorState(state);
  const at::Tensor first = at::rand({4});
  RestoreTorchGeneratorState(state);
  EXPECT_TRUE(at::equal(at::rand({4}), first));
}

}  // namespace
}  // namespace stlab
