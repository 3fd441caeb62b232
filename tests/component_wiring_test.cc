// The interfaces compose as documented: a neck and a head are built through the
// registries from the backbone's declared feature specs (never from hard-coded
// channel counts), a dataset feeds them, an evaluator scores them. Test doubles
// stand in for the real models, which live in plugins.
#include "ATen/ATen.h"
#include "core/backbone.h"
#include "core/dataset.h"
#include "core/evaluator.h"
#include "core/head.h"
#include "core/neck.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"
#include "torch/nn/modules/conv.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

// Two levels by strided average pooling, `channels` wide via a 1x1 conv.
class PoolingBackbone : public Backbone {
 public:
  explicit PoolingBackbone(int64_t channels)
      : specs_{{"c1", channels, 2}, {"c2", channels, 4}},
        proj_(register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, channels, 1)))) {}
  Features Forward(const at::Tensor& images) override {
    at::Tensor x = proj_->forward(images);
    return {{"c1", at::avg_pool2d(x, 2)}, {"c2", at::avg_pool2d(x, 4)}};
  }
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

 private:
  FeatureSpecs specs_;
  torch::nn::Conv2d proj_;
};

// Passes features through; its output specs are its input specs.
class IdentityNeck : public Neck {
 public:
  explicit IdentityNeck(FeatureSpecs specs) : specs_(std::move(specs)) {}
  Features Forward(const Features& inputs) override { return inputs; }
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

 private:
  FeatureSpecs specs_;
};

// 1x1 conv on the finest level, upsampled to the input.
class LinearSegHead : public SegmentationHead {
 public:
  LinearSegHead(const FeatureSpec& input, int64_t classes)
      : level_(input.name),
        classify_(register_module(
            "classify", torch::nn::Conv2d(torch::nn::Conv2dOptions(input.channels, classes, 1)))) {}
  at::Tensor Forward(const Features& f, const std::vector<int64_t>& size) override {
    return at::upsample_bilinear2d(classify_->forward(f.at(level_)), size, false);
  }
  LossTerms Loss(const at::Tensor& logits, const at::Tensor& masks,
                 const at::Tensor& soft_targets) override {
    TORCH_CHECK(!soft_targets.defined(), "LinearSegHead: hard labels only");
    return {{"seg", at::cross_entropy_loss(logits, masks.to(at::kLong), {}, at::Reduction::Mean,
                                           kIgnoreLabel)}};
  }

 private:
  std::string level_;
  torch::nn::Conv2d classify_;
};

class StripesDataset : public Dataset {
 public:
  StripesDataset() { info_ = {{"background", "stripe"}, {0, 1}, false, true}; }
  int64_t Size() const override { return 2; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    if (index < 0 || index >= Size()) return absl::OutOfRangeError("index");
    Sample s;
    s.image_id = index;
    s.image = at::zeros({8, 8, 3}, at::kByte);
    s.mask = at::zeros({8, 8}, at::kByte);
    s.mask.slice(1, 0, 4).fill_(1);
    return s;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

class PixelAccuracy : public Evaluator {
 public:
  absl::Status Add(const Sample& gt, const Prediction& p) override {
    correct_ += (p.class_probs.argmax(0) == gt.mask.to(at::kLong)).sum().item<int64_t>();
    total_ += gt.mask.numel();
    return absl::OkStatus();
  }
  absl::StatusOr<Metrics> Compute() const override {
    return Metrics{{"pixel_accuracy", static_cast<double>(correct_) / total_}};
  }

 private:
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

class ComponentWiringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(r_.backbones().Add(
                    {"pooling", "test double", {ParamSpec::Int("channels", 4, "width").Min(1)}},
                    [](const Params& p, const NoContext&)
                        -> absl::StatusOr<std::shared_ptr<Backbone>> {
                      return std::make_shared<PoolingBackbone>(p.GetInt("channels"));
                    }),
                IsOk());
    ASSERT_THAT(r_.necks().Add({"identity", "test double", {}},
                               [](const Params&, const NeckContext& c)
                                   -> absl::StatusOr<std::shared_ptr<Neck>> {
                                 if (c.inputs.empty()) return absl::InvalidArgumentError("no inputs");
                                 return std::make_shared<IdentityNeck>(c.inputs);
                               }),
                IsOk());
    ASSERT_THAT(r_.segmentation_heads().Add(
                    {"linear", "test double", {}},
                    [](const Params&, const HeadContext& c)
                        -> absl::StatusOr<std::shared_ptr<SegmentationHead>> {
                      return std::make_shared<LinearSegHead>(c.inputs.front(), c.num_classes);
                    }),
                IsOk());
    ASSERT_THAT(r_.datasets().Add({"stripes", "test double", {}},
                                  [](const Params&, const DatasetContext&)
                                      -> absl::StatusOr<std::shared_ptr<Dataset>> {
                                    return std::make_shared<StripesDataset>();
                                  }),
                IsOk());
    ASSERT_THAT(r_.evaluators().Add({"pixel_accuracy", "test double", {}},
                                    [](const Params&, const DatasetInfo&)
                                        -> absl::StatusOr<std::shared_ptr<Evaluator>> {
                                      return std::make_shared<PixelAccuracy>();
                                    }),
                IsOk());
  }

  Registries r_;
};

TEST_F(ComponentWiringTest, NeckAndHeadWireFromDeclaredSpecsAndTrain) {
  auto dataset = *r_.datasets().Create("stripes", {}, DatasetContext{});
  auto backbone = *r_.backbones().Create("pooling", {{"channels", int64_t{6}}});
  auto neck = *r_.necks().Create("identity", {}, NeckContext{backbone->OutputSpecs()});
  ASSERT_EQ(neck->OutputSpecs().front().channels, 6);
  auto head = *r_.segmentation_heads().Create(
      "linear", {},
      HeadContext{neck->OutputSpecs(),
                  static_cast<int64_t>(dataset->Info().class_names.size())});

  Sample sample = *dataset->Get(0);
  at::Tensor images = sample.image.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat).div(255);
  at::Tensor masks = sample.mask.unsqueeze(0);
  auto forward = [&] { return head->Forward(neck->Forward(backbone->Forward(images)), {8, 8}); };
  at::Tensor logits = forward();
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{1, 2, 8, 8}));

  // Gradients reach the backbone through neck and head.
  LossTerms loss = head->Loss(logits, masks, at::Tensor());
  loss.at("seg").backward();
  for (const auto& p : backbone->parameters()) EXPECT_TRUE(p.grad().defined());

  auto evaluator = *r_.evaluators().Create("pixel_accuracy", {}, dataset->Info());
  Prediction prediction;
  prediction.class_probs = at::softmax(forward()[0], 0);
  ASSERT_THAT(evaluator->Add(sample, prediction), IsOk());
  auto metrics = evaluator->Compute();
  ASSERT_THAT(metrics, IsOk());
  EXPECT_GE(metrics->at("pixel_accuracy"), 0.0);
}

TEST_F(ComponentWiringTest, ContextErrorsSurfaceAsStatusNamingTheComponent) {
  EXPECT_THAT(r_.necks().Create("identity", {}, NeckContext{}),
              StatusIs(absl::StatusCode::kInvalidArgument, "neck 'identity': no inputs"));
}

}  // namespace
}  // namespace stlab
