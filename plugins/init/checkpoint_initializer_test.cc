#include "plugins/init/checkpoint_initializer.h"

#include <filesystem>
#include <string>

#include "ATen/ATen.h"
#include "core/checkpoint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/init/tiny_net_for_tests.h"
#include "plugins/init/weights_file.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"
#include "torch/utils.h"

namespace stlab::init {
namespace {

using ::stlab::init::testing::TinyNetImpl;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Gives every parameter and buffer distinct values (offset by `offset`).
void FillDistinct(torch::nn::Module& module, double offset) {
  torch::NoGradGuard no_grad;
  double next = offset;
  for (at::Tensor t : module.parameters()) {
    t.copy_(at::arange(t.numel()).reshape(t.sizes()) * 0.25 + next);
    next += 100;
  }
  for (at::Tensor t : module.buffers()) {
    t.copy_(at::arange(t.numel()).reshape(t.sizes()) + next);
    next += 100;
  }
}

bool SameState(torch::nn::Module& a, torch::nn::Module& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  for (const auto& item : pa) {
    if (!at::equal(item.value(), pb[item.key()])) return false;
  }
  for (const auto& item : ba) {
    if (!at::equal(item.value(), bb[item.key()])) return false;
  }
  return true;
}

// A TaskModel-like container: a "backbone" and a "head".
template <typename Backbone>
struct WholeModel : torch::nn::Module {
  WholeModel() {
    backbone = register_module("backbone", std::make_shared<Backbone>());
    head = register_module("head", torch::nn::Conv2d(2, 5, 1));
  }
  std::shared_ptr<Backbone> backbone;
  torch::nn::Conv2d head{nullptr};
};

// Like TinyNet but with conv1 of another shape, no bn1 and an extra parameter.
struct OtherNetImpl : torch::nn::Module {
  OtherNetImpl() {
    conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)
                                                           .bias(false)));
    layer1 = register_module("layer1", torch::nn::Sequential(torch::nn::Conv2d(4, 2, 1),
                                                             torch::nn::BatchNorm2d(2)));
    extra = register_parameter("extra", at::ones({3}));
  }
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::Sequential layer1{nullptr};
  at::Tensor extra;
};

struct UnrelatedImpl : torch::nn::Module {
  UnrelatedImpl() { weight = register_parameter("weight", at::ones({2})); }
  at::Tensor weight;
};

template <typename Backbone>
std::filesystem::path SaveWhole(const std::filesystem::path& path, double offset,
                                std::shared_ptr<Backbone>* backbone = nullptr) {
  WholeModel<Backbone> model;
  FillDistinct(model, offset);
  EXPECT_THAT(SaveCheckpoint(path, model, nullptr, RunState()), IsOk());
  if (backbone != nullptr) *backbone = model.backbone;
  return path;
}

TEST(CheckpointInitializerTest, LoadsTheBackboneExactly) {
  std::shared_ptr<TinyNetImpl> saved;
  const auto path = SaveWhole<TinyNetImpl>(FreshTestDir() / "model_final.pt", 1.0, &saved);
  TinyNetImpl net;
  ASSERT_THAT(CheckpointInitializer(path, "backbone.", true).Initialize(net, 0), IsOk());
  EXPECT_TRUE(SameState(net, *saved));
  EXPECT_EQ(net.bn1->num_batches_tracked.item<int64_t>(),
            saved->bn1->num_batches_tracked.item<int64_t>());
}

TEST(CheckpointInitializerTest, StrictErrorListsMissingUnexpectedAndMisshapedKeys) {
  const auto path = SaveWhole<OtherNetImpl>(FreshTestDir() / "other.pt", 1.0);
  TinyNetImpl net;
  FillDistinct(net, -5.0);
  TinyNetImpl before;
  FillDistinct(before, -5.0);
  const absl::Status status = CheckpointInitializer(path, "backbone.", true).Initialize(net, 0);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path.string()),
                             HasSubstr("4 missing: bn1.weight, bn1.bias, bn1.running_mean, "
                                       "bn1.running_var"),
                             HasSubstr("1 unexpected: extra"),
                             HasSubstr("1 of another shape: conv1.weight ([8, 3, 3, 3] in the "
                                       "file, [4, 3, 3, 3] in the module)"),
                             Not(HasSubstr("num_batches_tracked")), Not(HasSubstr("head")))));
  EXPECT_TRUE(SameState(net, before)) << "a failed strict load must change nothing";
}

TEST(CheckpointInitializerTest, PartialLoadCopiesWhatFitsAndKeepsTheRest) {
  std::shared_ptr<OtherNetImpl> saved;
  const auto path = SaveWhole<OtherNetImpl>(FreshTestDir() / "other.pt", 1.0, &saved);
  TinyNetImpl net;
  FillDistinct(net, -5.0);
  const at::Tensor conv1_before = net.conv1->weight.clone();
  ASSERT_THAT(CheckpointInitializer(path, "backbone.", false).Initialize(net, 0), IsOk());
  EXPECT_TRUE(at::equal(net.conv1->weight, conv1_before));
  for (const auto& item : net.layer1->named_parameters()) {
    EXPECT_TRUE(at::equal(item.value(), saved->layer1->named_parameters()[item.key()]))
        << item.key();
  }
}

TEST(CheckpointInitializerTest, PartialLoadFailsWhenNothingFits) {
  const auto path = SaveWhole<UnrelatedImpl>(FreshTestDir() / "unrelated.pt", 1.0);
  TinyNetImpl net;
  EXPECT_THAT(CheckpointInitializer(path, "backbone.", false).Initialize(net, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("has nothing that fits the module"),
                             HasSubstr("unexpected: weight"))));
}

TEST(CheckpointInitializerTest, PrefixSelectsTheSubmodule) {
  const auto path = SaveWhole<TinyNetImpl>(FreshTestDir() / "model.pt", 1.0);
  WholeModel<TinyNetImpl> whole;
  ASSERT_THAT(CheckpointInitializer(path, "", true).Initialize(whole, 0), IsOk());
  TinyNetImpl net;
  EXPECT_THAT(CheckpointInitializer(path, "head.", true).Initialize(net, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("keys under 'head.'"), HasSubstr("2 unexpected: bias, weight"),
                             HasSubstr("missing: conv1.weight"))));
}

TEST(CheckpointInitializerTest, FileThatIsNotACheckpointIsAnError) {
  const auto dir = FreshTestDir();
  TinyNetImpl net;
  EXPECT_THAT(CheckpointInitializer(dir / "absent.pt", "backbone.", true).Initialize(net, 0),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("absent.pt")));
  const auto garbage = ::stlab::testing::WriteFile(dir / "garbage.pt", "not a torch archive");
  EXPECT_THAT(CheckpointInitializer(garbage, "backbone.", true).Initialize(net, 0),
              Not(IsOk()));
}

TEST(CheckpointInitializerTest, OriginIsTheAbsolutePathAndTheFilesDigest) {
  const auto path = SaveWhole<TinyNetImpl>(FreshTestDir() / "model_final.pt", 1.0);
  const std::filesystem::path relative = std::filesystem::relative(path);
  ASSERT_TRUE(relative.is_relative());
  CheckpointInitializer init(relative, "backbone.", true);
  EXPECT_EQ(init.Origin(), "checkpoint " + path.lexically_normal().string());
  TinyNetImpl net;
  ASSERT_THAT(init.Initialize(net, 0), IsOk());
  absl::StatusOr<WeightsFile> file = ReadWeightsFile(path);
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(init.Origin(), "checkpoint " + path.lexically_normal().string() + " sha256:" +
                               file->sha256_hex.substr(0, 12));
}

TEST(CheckpointInitializerTest, OriginNamesWhatTheFileSaysProducedIt) {
  const auto path = FreshTestDir() / "backbone.pt";
  WholeModel<TinyNetImpl> model;
  RunState state;
  state.iteration = 120;
  state.text = {{"method", "simclr"},
                {"config_sha256", std::string(64, 'c')},
                {"data", "image_folder(labels=\"none\", recursive=true, root=\"pool\")"},
                {"init", "construction (no [model.init])"},
                {"stlab_version", "9.8.7"}};
  ASSERT_THAT(SaveCheckpoint(path, model, nullptr, state), IsOk());
  CheckpointInitializer init(path, "backbone.", true);
  TinyNetImpl net;
  ASSERT_THAT(init.Initialize(net, 0), IsOk());
  absl::StatusOr<WeightsFile> file = ReadWeightsFile(path);
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(init.Origin(),
            "checkpoint " + path.lexically_normal().string() + " sha256:" +
                file->sha256_hex.substr(0, 12) +
                " (simclr, 120 iterations, config sha256:cccccccccccc, data "
                "image_folder(labels=\"none\", recursive=true, root=\"pool\"), stlab 9.8.7)");
}

TEST(WeightsFileTest, Sha256OfKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace stlab::init
