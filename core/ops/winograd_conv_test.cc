#include "core/ops/winograd_conv.h"

#include <optional>
#include <string>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/tensor_compare.h"

namespace stlab {
namespace {

using stlab::testing::RelativeError;

struct Case {
  int64_t batch, in_channels, out_channels, height, width;
};

TEST(WinogradConvTest, MatchesTheDirectConvolutionOnPartialTilesAndChannelBlocks) {
  // Maps that are not multiples of the 4x4 tile, channel counts that are not multiples
  // of the 64-channel block, one-pixel maps where all but the centre is padding.
  for (const Case& c : {Case{2, 3, 5, 8, 8}, Case{1, 70, 130, 9, 13}, Case{3, 16, 8, 5, 4},
                        Case{1, 8, 8, 1, 1}, Case{2, 129, 64, 12, 7}}) {
    SCOPED_TRACE(::testing::Message() << c.batch << "x" << c.in_channels << "->"
                                      << c.out_channels << " at " << c.height << "x" << c.width);
    at::manual_seed(c.in_channels + c.height);
    const at::Tensor input = at::randn({c.batch, c.in_channels, c.height, c.width});
    const at::Tensor weight = at::randn({c.out_channels, c.in_channels, 3, 3});
    const at::Tensor bias = at::randn({c.out_channels});
    const at::Tensor u = WinogradWeights(weight);
    ASSERT_EQ(u.sizes(), (at::IntArrayRef{36, c.in_channels, c.out_channels}));

    const at::Tensor want = at::conv2d(input, weight, bias, 1, 1);
    const at::Tensor got = WinogradConv3x3(input, u, bias);
    EXPECT_TRUE(got.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_LT(RelativeError(got, want), 1e-5);
    // The same from a channels-last input, and without a bias.
    const at::Tensor cl = input.contiguous(at::MemoryFormat::ChannelsLast);
    EXPECT_LT(RelativeError(WinogradConv3x3(cl, u, std::nullopt),
                            at::conv2d(input, weight, {}, 1, 1)),
              1e-5);
  }
}

TEST(WinogradConvTest, IdentityKernelReturnsTheInput) {
  at::Tensor weight = at::zeros({4, 4, 3, 3});
  for (int64_t k = 0; k < 4; ++k) weight.index_put_({k, k, 1, 1}, 1.0);
  at::manual_seed(1);
  const at::Tensor input = at::randn({1, 4, 6, 10});
  const at::Tensor got = WinogradConv3x3(input, WinogradWeights(weight), std::nullopt);
  // Float transforms (1/6, 1/24 in U; up to 8 in A^T) round at about 1e-6 of the scale.
  EXPECT_LT((got - input).abs().max().item<double>(), 1e-5 * input.abs().max().item<double>());
}

TEST(WinogradConvTest, MismatchedShapesAreRejectedNamingWhatWasExpected) {
  const at::Tensor u = WinogradWeights(at::randn({8, 4, 3, 3}));
  try {
    WinogradConv3x3(at::randn({1, 5, 8, 8}), u, std::nullopt);
    FAIL() << "a 5-channel input passed 4-channel weights";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find("[36, 5, K]"), std::string::npos)
        << e.what_without_backtrace();
  }
  EXPECT_THROW(WinogradConv3x3(at::randn({1, 4, 8, 8}), u, at::randn({7})), c10::Error);
  EXPECT_THROW(WinogradConv3x3(at::randn({1, 4, 8, 8}).to(at::kDouble), u, std::nullopt),
               c10::Error);
  EXPECT_THROW(WinogradWeights(at::randn({8, 4, 5, 5})), c10::Error);
}

}  // namespace
}  // namespace stlab
