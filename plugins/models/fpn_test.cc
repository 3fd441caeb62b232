#include "plugins/models/fpn.h"

#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::models {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

const FeatureSpecs kC3ToC5 = {{"c3", 16, 8}, {"c4", 24, 16}, {"c5", 32, 32}};

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

Features RandomInputs(const FeatureSpecs& specs, int64_t h, int64_t w) {
  Features f;
  for (const FeatureSpec& s : specs) {
    f[s.name] = at::randn({2, s.channels, CeilDiv(h, s.stride), CeilDiv(w, s.stride)});
  }
  return f;
}

void ExpectShapesMatchSpecs(const Features& out, const FeatureSpecs& specs, int64_t h, int64_t w) {
  ASSERT_EQ(out.size(), specs.size());
  for (const FeatureSpec& s : specs) {
    ASSERT_TRUE(out.count(s.name)) << s.name;
    EXPECT_EQ(out.at(s.name).sizes(),
              (std::vector<int64_t>{2, s.channels, CeilDiv(h, s.stride), CeilDiv(w, s.stride)}))
        << s.name << " at " << h << "x" << w;
  }
}

TEST(FpnTest, RetinaNetLevelsP3ToP7MatchSpecs) {
  Fpn fpn(FpnOptions(kC3ToC5).out_channels(8));
  const FeatureSpecs& specs = fpn->OutputSpecs();
  ASSERT_EQ(specs.size(), 5u);
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(specs[i].name, "p" + std::to_string(i + 3));
    EXPECT_EQ(specs[i].stride, int64_t{8} << i);
    EXPECT_EQ(specs[i].channels, 8);
  }
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {96, 64}}) {
    ExpectShapesMatchSpecs(fpn->Forward(RandomInputs(kC3ToC5, h, w)), specs, h, w);
  }
}

TEST(FpnTest, FindsLevelsByStrideNotByNameOrOrder) {
  const FeatureSpecs inputs = {{"z", 32, 32}, {"x", 16, 8}, {"y", 24, 16}, {"c2", 4, 4}};
  Fpn fpn(FpnOptions(inputs).out_channels(8));
  ASSERT_EQ(fpn->OutputSpecs().size(), 5u);
  EXPECT_EQ(fpn->OutputSpecs().front().name, "p3");
  auto params = fpn->named_parameters();
  EXPECT_EQ(params["lateral3.weight"].size(1), 16);
  EXPECT_EQ(params["lateral5.weight"].size(1), 32);
  EXPECT_FALSE(params.contains("lateral2.weight"));
  ExpectShapesMatchSpecs(fpn->Forward(RandomInputs(inputs, 64, 64)), fpn->OutputSpecs(), 64, 64);
}

TEST(FpnTest, P6FromSelectsTheExtraLevelInput) {
  Fpn from_c5(FpnOptions(kC3ToC5).out_channels(8).p6_from("c5"));
  Fpn from_p5(FpnOptions(kC3ToC5).out_channels(8).p6_from("p5"));
  EXPECT_EQ(from_c5->named_parameters()["p6.weight"].size(1), 32);
  EXPECT_EQ(from_p5->named_parameters()["p6.weight"].size(1), 8);
  EXPECT_EQ(from_p5->named_parameters()["p7.weight"].size(1), 8);
  ExpectShapesMatchSpecs(from_p5->Forward(RandomInputs(kC3ToC5, 64, 96)), from_p5->OutputSpecs(),
                         64, 96);
}

TEST(FpnTest, LevelRangeSelectsOutputs) {
  Fpn fpn(FpnOptions(kC3ToC5).out_channels(8).min_level(4).max_level(6));
  const FeatureSpecs& specs = fpn->OutputSpecs();
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "p4");
  EXPECT_EQ(specs[2].name, "p6");
  ExpectShapesMatchSpecs(fpn->Forward(RandomInputs(kC3ToC5, 64, 64)), specs, 64, 64);

  Fpn no_extras(FpnOptions(kC3ToC5).out_channels(8).max_level(5));
  EXPECT_EQ(no_extras->OutputSpecs().back().name, "p5");
  EXPECT_EQ(no_extras->OutputSpecs().size(), 3u);
}

TEST(FpnTest, GradientsReachEveryInput) {
  Fpn fpn(FpnOptions(kC3ToC5).out_channels(8));
  Features inputs = RandomInputs(kC3ToC5, 64, 64);
  for (auto& [name, t] : inputs) t.requires_grad_(true);
  at::Tensor loss = at::zeros({});
  for (const auto& [name, t] : fpn->Forward(inputs)) loss = loss + t.sum();
  loss.backward();
  for (const auto& [name, t] : inputs) EXPECT_TRUE(t.grad().defined()) << name;
  for (const auto& p : fpn->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(FpnTest, CheckRejectsInputsThatDoNotFormAPyramid) {
  EXPECT_THAT(CheckFpnOptions(FpnOptions(kC3ToC5)), IsOk());
  EXPECT_THAT(CheckFpnOptions(FpnOptions({{"c3", 16, 8}, {"c5", 32, 32}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no input with stride 16")));
  EXPECT_THAT(CheckFpnOptions(FpnOptions({{"a", 16, 8}, {"b", 16, 8}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("share stride 8")));
  EXPECT_THAT(CheckFpnOptions(FpnOptions({{"a", 16, 12}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a power of two")));
  EXPECT_THAT(CheckFpnOptions(FpnOptions({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs input")));
  EXPECT_THAT(CheckFpnOptions(FpnOptions(kC3ToC5).min_level(6)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("above the coarsest")));
  EXPECT_THAT(CheckFpnOptions(FpnOptions(kC3ToC5).p6_from("p6")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("p6_from")));
  EXPECT_THROW(Fpn(FpnOptions({})), c10::Error);
}

}  // namespace
}  // namespace stlab::models
