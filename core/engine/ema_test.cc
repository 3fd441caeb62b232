#include "core/engine/ema.h"

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/linear.h"

namespace stlab {
namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    fc = register_module("fc", torch::nn::Linear(2, 1));
    bn = register_module("bn", torch::nn::BatchNorm1d(1));
  }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

void Fill(NetImpl& net, float value) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.parameters()) p.fill_(value);
  net.bn->running_mean.fill_(value);
}

TEST(WeightEmaTest, AveragesWithWarmupDecay) {
  NetImpl net;
  Fill(net, 0.0f);
  WeightEma ema(net, 0.99);
  Fill(net, 1.0f);
  ema.Update(net, 0);  // d = min(0.99, 1 / 10) = 0.1 -> 0.9
  EXPECT_FLOAT_EQ(ema.averages().at("fc.weight")[0][0].item<float>(), 0.9f);
  EXPECT_FLOAT_EQ(ema.averages().at("bn.running_mean")[0].item<float>(), 0.9f);
  ema.Update(net, 1000);  // d = 0.99 -> 0.99 * 0.9 + 0.01
  EXPECT_NEAR(ema.averages().at("fc.bias")[0].item<float>(), 0.99f * 0.9f + 0.01f, 1e-6);
}

TEST(WeightEmaTest, CopyToAndRestoreRoundTrip) {
  NetImpl net;
  Fill(net, 2.0f);
  WeightEma ema(net, 0.5);
  NetImpl other;
  ema.CopyTo(other);
  EXPECT_TRUE(at::equal(other.fc->weight, net.fc->weight));

  WeightEma restored(other, 0.5);
  Fill(other, 7.0f);
  WeightEma changed(other, 0.5);
  restored.Restore(ema.averages());
  EXPECT_TRUE(at::equal(restored.averages().at("fc.weight"), ema.averages().at("fc.weight")));
  std::map<std::string, at::Tensor> partial = ema.averages();
  partial.erase("fc.weight");
  EXPECT_THROW(changed.Restore(partial), c10::Error);
}

}  // namespace
}  // namespace stlab
