#include "plugins/detection/retinanet_head.h"

#include <cmath>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "torch/nn/modules/conv.h"
#include "torch/optim/sgd.h"

namespace stlab::detection {
namespace {

constexpr int64_t kChannels = 32;
constexpr int64_t kClasses = 3;
constexpr int64_t kImage = 128;

FeatureSpecs PyramidSpecs() {
  FeatureSpecs specs;
  for (int64_t level = 3; level <= 7; ++level) {
    specs.push_back({"p" + std::to_string(level), kChannels, int64_t{1} << level});
  }
  return specs;
}

Features RandomFeatures(int64_t batch, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Features features;
  for (const FeatureSpec& spec : PyramidSpecs()) {
    const int64_t size = (kImage + spec.stride - 1) / spec.stride;
    features[spec.name] = at::randn({batch, kChannels, size, size}, gen);
  }
  return features;
}

Sample Target(std::vector<float> box, int64_t label) {
  Sample sample;
  sample.boxes = at::tensor(box).reshape({1, 4});
  sample.labels = at::tensor(std::vector<int64_t>{label});
  return sample;
}

Sample EmptyTarget() {
  Sample sample;
  sample.boxes = at::zeros({0, 4});
  sample.labels = at::zeros({0}, at::kLong);
  return sample;
}

RetinaNetHead MakeHead(RetinaNetHeadOptions options) {
  torch::manual_seed(0);
  return RetinaNetHead(std::move(options));
}

TEST(RetinaNetHeadTest, ParameterNamesFollowTorchvision) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(2));
  const auto params = head->named_parameters();
  for (const char* name :
       {"classification_head.conv.0.0.weight", "classification_head.conv.1.0.bias",
        "classification_head.cls_logits.weight", "regression_head.conv.1.0.weight",
        "regression_head.bbox_reg.bias"}) {
    EXPECT_TRUE(params.contains(name)) << name;
  }
  EXPECT_EQ(params["classification_head.cls_logits.weight"].size(0), 9 * kClasses);
  EXPECT_EQ(params["regression_head.bbox_reg.weight"].size(0), 9 * 4);
}

TEST(RetinaNetHeadTest, ClassifierBiasEncodesPriorProbability) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses));
  const at::Tensor bias = head->named_parameters()["classification_head.cls_logits.bias"];
  EXPECT_TRUE(at::allclose(bias.sigmoid(), at::full_like(bias, 0.01), 1e-6, 1e-7));
  const at::Tensor weight = head->named_parameters()["classification_head.conv.0.0.weight"];
  EXPECT_NEAR(weight.std().item<double>(), 0.01, 0.001);
}

TEST(RetinaNetHeadTest, GroupNormTowersHaveNormLayersAndNoConvBias) {
  RetinaNetHead head =
      MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1).norm("group_norm"));
  const auto params = head->named_parameters();
  EXPECT_TRUE(params.contains("classification_head.conv.0.1.weight"));
  EXPECT_FALSE(params.contains("classification_head.conv.0.0.bias"));
}

TEST(RetinaNetHeadTest, LossesAreFiniteAndNormalisedByPositives) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1));
  const LossTerms losses = head->Loss(RandomFeatures(2, 1),
                                      {Target({10, 20, 60, 90}, 2), EmptyTarget()},
                                      {kImage, kImage});
  ASSERT_EQ(losses.size(), 2u);
  EXPECT_TRUE(std::isfinite(losses.at("cls").item<double>()));
  EXPECT_GT(losses.at("box").item<double>(), 0.0);
  // An untrained head predicts ~0.01 everywhere: the focal loss of the ~thousands of
  // negatives, each alpha_t (1-p_t)^2 BCE = 0.75 * 1e-4 * 0.01, is small next to the
  // positives' ~ 0.25 * 0.98 * 4.6 each; per positive it is of order 1.
  EXPECT_GT(losses.at("cls").item<double>(), 0.3);
  EXPECT_LT(losses.at("cls").item<double>(), 3.0);
}

Features Images(const Features& features, const std::vector<int64_t>& order) {
  Features picked;
  for (const auto& [name, map] : features) picked[name] = map.index_select(0, at::tensor(order));
  return picked;
}

TEST(RetinaNetHeadTest, BatchLossSumsItsImagesAndNormalisesByAllPositives) {
  // The batch is scored at once; each image must still meet its own targets, and the
  // sums are divided once by the batch's positives. Ignore regions and soft label
  // scores included.
  for (const char* box_loss : {"smooth_l1", "giou"}) {
    SCOPED_TRACE(box_loss);
    RetinaNetHead head =
        MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1).box_loss(box_loss));
    const Features features = RandomFeatures(3, 7);
    Sample soft = Target({40, 10, 120, 70}, 0);
    soft.label_scores = at::tensor(std::vector<float>{0.6f});
    Sample ignoring = Target({10, 20, 60, 90}, 2);
    ignoring.ignore_boxes = at::tensor(std::vector<float>{64, 64, 128, 128}).reshape({1, 4});
    const std::vector<Sample> targets = {ignoring, EmptyTarget(), soft};
    const LossTerms batch = head->Loss(features, targets, {kImage, kImage});

    // Any order of the images gives the same losses.
    const LossTerms reordered =
        head->Loss(Images(features, {2, 0, 1}), {soft, ignoring, EmptyTarget()}, {kImage, kImage});
    for (const char* term : {"cls", "box"}) {
      EXPECT_NEAR(reordered.at(term).item<double>(), batch.at(term).item<double>(),
                  1e-5 * batch.at(term).item<double>())
          << term;
    }
    // An image twice over: twice the sums over twice the positives.
    const LossTerms once = head->Loss(Images(features, {2}), {soft}, {kImage, kImage});
    const LossTerms twice = head->Loss(Images(features, {2, 2}), {soft, soft}, {kImage, kImage});
    for (const char* term : {"cls", "box"}) {
      EXPECT_NEAR(twice.at(term).item<double>(), once.at(term).item<double>(),
                  1e-5 * once.at(term).item<double>())
          << term;
    }
    // With an image without boxes beside it, its sum s (its own loss, normalised by 1)
    // joins the other's over the other's p positives: batch = alone + s / p, p whole.
    const LossTerms pair =
        head->Loss(Images(features, {0, 1}), {ignoring, EmptyTarget()}, {kImage, kImage});
    const LossTerms alone = head->Loss(Images(features, {0}), {ignoring}, {kImage, kImage});
    const LossTerms empty = head->Loss(Images(features, {1}), {EmptyTarget()}, {kImage, kImage});
    const double p = empty.at("cls").item<double>() /
                     (pair.at("cls").item<double>() - alone.at("cls").item<double>());
    EXPECT_GE(p, 1.0);
    EXPECT_NEAR(p, std::round(p), 0.2);  // float32 losses: the difference cancels digits.
    EXPECT_NEAR(pair.at("box").item<double>(), alone.at("box").item<double>(),
                1e-6 * alone.at("box").item<double>());
  }
}

TEST(RetinaNetHeadTest, ImagesWithoutBoxesHaveNoBoxLoss) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1));
  const LossTerms losses = head->Loss(RandomFeatures(1, 2), {EmptyTarget()}, {kImage, kImage});
  EXPECT_EQ(losses.at("box").item<double>(), 0.0);
  EXPECT_TRUE(std::isfinite(losses.at("cls").item<double>()));
}

TEST(RetinaNetHeadTest, IgnoreRegionsRemoveAnchorsFromTheLoss) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1));
  const Features features = RandomFeatures(1, 3);
  Sample ignored = EmptyTarget();
  ignored.ignore_boxes = at::tensor(std::vector<float>{0, 0, kImage, kImage}).reshape({1, 4});
  const double plain = head->Loss(features, {EmptyTarget()}, {kImage, kImage}).at("cls").item<double>();
  const double with_ignore =
      head->Loss(features, {ignored}, {kImage, kImage}).at("cls").item<double>();
  EXPECT_LT(with_ignore, plain * 0.5);
}

TEST(RetinaNetHeadTest, TrainingOnOneBoxLowersBothLosses) {
  for (const char* box_loss : {"smooth_l1", "giou"}) {
    RetinaNetHead head =
        MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1).box_loss(box_loss));
    const Features features = RandomFeatures(1, 4);
    const std::vector<Sample> targets = {Target({30, 30, 90, 70}, 1)};
    torch::optim::SGD sgd(head->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
    LossTerms first;
    LossTerms last;
    for (int step = 0; step < 40; ++step) {
      sgd.zero_grad();
      last = head->Loss(features, targets, {kImage, kImage});
      if (step == 0) first = {{"cls", last.at("cls").detach()}, {"box", last.at("box").detach()}};
      (last.at("cls") + last.at("box")).backward();
      sgd.step();
    }
    EXPECT_LT(last.at("cls").item<double>(), first.at("cls").item<double>() * 0.5) << box_loss;
    EXPECT_LT(last.at("box").item<double>(), first.at("box").item<double>()) << box_loss;
  }
}

// Zero weights make every location predict its bias: all deltas 0 (boxes = anchors)
// and one logit for every class.
void SetConstantOutputs(RetinaNetHeadImpl& head, const std::vector<float>& class_bias) {
  torch::NoGradGuard no_grad;
  auto params = head.named_parameters();
  params["classification_head.cls_logits.weight"].zero_();
  params["regression_head.bbox_reg.weight"].zero_();
  params["regression_head.bbox_reg.bias"].zero_();
  at::Tensor bias = params["classification_head.cls_logits.bias"];
  bias.copy_(at::tensor(class_bias).repeat({bias.size(0) / kClasses}));
}

TEST(RetinaNetHeadTest, PredictDropsScoresBelowThreshold) {
  RetinaNetHead head = MakeHead(RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1));
  SetConstantOutputs(*head, {-10.0f, -10.0f, -10.0f});
  const auto detections = head->Predict(RandomFeatures(2, 5), {kImage, kImage});
  ASSERT_EQ(detections.size(), 2u);
  EXPECT_EQ(detections[0].boxes.size(0), 0);
  EXPECT_EQ(detections[1].scores.size(0), 0);
}

TEST(RetinaNetHeadTest, PredictKeepsTopScoringAnchorsOfTheScoringClassAfterNms) {
  RetinaNetHead head = MakeHead(
      RetinaNetHeadOptions(PyramidSpecs(), kClasses).num_convs(1).max_detections(7));
  SetConstantOutputs(*head, {-10.0f, 0.0f, -10.0f});
  const Detections d = head->Predict(RandomFeatures(1, 6), {kImage, kImage}).at(0);
  ASSERT_EQ(d.boxes.size(0), 7);
  EXPECT_TRUE((d.labels == 1).all().item<bool>());
  EXPECT_TRUE(at::allclose(d.scores, at::full_like(d.scores, 0.5)));
  EXPECT_TRUE((d.boxes.narrow(1, 0, 2) >= 0).all().item<bool>());
  EXPECT_TRUE((d.boxes.narrow(1, 2, 2) <= kImage).all().item<bool>());
  // After NMS no two kept boxes overlap by more than the threshold.
  for (int64_t i = 0; i < d.boxes.size(0); ++i) {
    for (int64_t j = i + 1; j < d.boxes.size(0); ++j) {
      const at::Tensor a = d.boxes[i];
      const at::Tensor b = d.boxes[j];
      const double iw = std::max(0.0, std::min(a[2].item<double>(), b[2].item<double>()) -
                                          std::max(a[0].item<double>(), b[0].item<double>()));
      const double ih = std::max(0.0, std::min(a[3].item<double>(), b[3].item<double>()) -
                                          std::max(a[1].item<double>(), b[1].item<double>()));
      const double area_a = ((a[2] - a[0]) * (a[3] - a[1])).item<double>();
      const double area_b = ((b[2] - b[0]) * (b[3] - b[1])).item<double>();
      EXPECT_LE(iw * ih / (area_a + area_b - iw * ih), 0.5 + 1e-6);
    }
  }
}

TEST(RetinaNetHeadTest, OptionsAreChecked) {
  EXPECT_FALSE(CheckRetinaNetHeadOptions(RetinaNetHeadOptions(PyramidSpecs(), 0)).ok());
  EXPECT_FALSE(
      CheckRetinaNetHeadOptions(RetinaNetHeadOptions(PyramidSpecs(), 3).box_loss("iou")).ok());
  FeatureSpecs mixed = PyramidSpecs();
  mixed[1].channels = 64;
  const absl::Status status = CheckRetinaNetHeadOptions(RetinaNetHeadOptions(mixed, 3));
  EXPECT_NE(status.message().find("one channel count"), std::string::npos) << status;
  EXPECT_FALSE(CheckRetinaNetHeadOptions(
                   RetinaNetHeadOptions(PyramidSpecs(), 3).norm("group_norm").inputs(
                       {{"p3", 20, 8}}))
                   .ok());
}

}  // namespace
}  // namespace stlab::detection
