#include "plugins/detection/box_ops.h"

#include <cmath>

#include "ATen/ATen.h"
#include "c10/util/Exception.h"
#include "gtest/gtest.h"

namespace stlab::detection {
namespace {

at::Tensor Boxes(std::initializer_list<float> values) {
  return at::tensor(std::vector<float>(values)).reshape({-1, 4});
}

// [n, 4] float32 boxes with corners in [0, 100) and sides in [1, 50).
at::Tensor RandomBoxes(int64_t n, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor xy = at::rand({n, 2}, gen) * 100;
  const at::Tensor wh = at::rand({n, 2}, gen) * 49 + 1;
  return at::cat({xy, xy + wh}, 1);
}

TEST(BoxOpsTest, PairedGeneralizedIouOfKnownPairs) {
  const at::Tensor a = Boxes({0, 0, 2, 2, 0, 0, 2, 2, 0, 0, 1, 1});
  const at::Tensor b = Boxes({0, 0, 2, 2, 1, 1, 3, 3, 2, 0, 3, 1});
  const at::Tensor giou = PairedGeneralizedIou(a, b);
  ASSERT_EQ(giou.sizes(), (at::IntArrayRef{3}));
  EXPECT_NEAR(giou[0].item<float>(), 1.0f, 1e-6);
  // IoU 1/7; hull [0,0,3,3] = 9, union 7: 1/7 - 2/9.
  EXPECT_NEAR(giou[1].item<float>(), 1.0f / 7 - 2.0f / 9, 1e-6);
  // Disjoint, gap of one box: IoU 0, hull 3, union 2: -1/3.
  EXPECT_NEAR(giou[2].item<float>(), -1.0f / 3, 1e-6);
}

TEST(BoxOpsTest, PairedGeneralizedIouHasGradientsForDisjointBoxes) {
  const at::Tensor a = Boxes({0, 0, 1, 1}).requires_grad_();
  const at::Tensor b = Boxes({2, 0, 3, 1});
  (1 - PairedGeneralizedIou(a, b)).sum().backward();
  EXPECT_TRUE(at::isfinite(a.grad()).all().item<bool>());
  EXPECT_GT(a.grad().abs().sum().item<float>(), 0.0f);
}

TEST(BoxOpsTest, PairwiseIouOfKnownPairs) {
  const at::Tensor a = Boxes({0, 0, 2, 2, 0, 0, 4, 4});
  const at::Tensor b = Boxes({1, 1, 3, 3, 0, 0, 2, 2, 5, 5, 6, 6});
  const at::Tensor iou = PairwiseIou(a, b);
  ASSERT_EQ(iou.sizes(), (at::IntArrayRef{2, 3}));
  // [0,0,2,2] vs [1,1,3,3]: intersection 1, union 4 + 4 - 1 = 7.
  EXPECT_FLOAT_EQ(iou[0][0].item<float>(), 1.0f / 7);
  EXPECT_FLOAT_EQ(iou[0][1].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(iou[0][2].item<float>(), 0.0f);
  // [0,0,4,4] vs [1,1,3,3]: the small box lies inside, 4 / 16.
  EXPECT_FLOAT_EQ(iou[1][0].item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(iou[1][1].item<float>(), 0.25f);
}

TEST(BoxOpsTest, PairwiseIouIsSymmetricAndHandlesEmptySets) {
  const at::Tensor a = RandomBoxes(7, 1);
  const at::Tensor b = RandomBoxes(5, 2);
  EXPECT_TRUE(at::allclose(PairwiseIou(a, b), PairwiseIou(b, a).t()));
  EXPECT_EQ(PairwiseIou(a, at::zeros({0, 4})).sizes(), (at::IntArrayRef{7, 0}));
  EXPECT_EQ(PairwiseIou(at::zeros({0, 4}), b).sizes(), (at::IntArrayRef{0, 5}));
}

TEST(BoxOpsTest, DegeneratePairsScoreZeroNotNan) {
  const at::Tensor point = Boxes({3, 3, 3, 3});
  EXPECT_EQ(PairwiseIou(point, point).item<float>(), 0.0f);
  EXPECT_EQ(PairwiseIoa(point, Boxes({0, 0, 10, 10})).item<float>(), 0.0f);
}

TEST(BoxOpsTest, PairwiseIoaDividesByTheFirstBoxArea) {
  // [0,0,2,2] vs [1,0,10,10]: intersection 1 x 2 = 2, area of the first box 4.
  const at::Tensor ioa = PairwiseIoa(Boxes({0, 0, 2, 2}), Boxes({1, 0, 10, 10, 0, 0, 1, 1}));
  EXPECT_FLOAT_EQ(ioa[0][0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(ioa[0][1].item<float>(), 0.25f);
}

TEST(BoxOpsTest, PairwiseOverlapsNeverRequireGrad) {
  const at::Tensor a = Boxes({0, 0, 2, 2}).requires_grad_(true);
  EXPECT_FALSE(PairwiseIou(a, Boxes({1, 1, 3, 3})).requires_grad());
  EXPECT_FALSE(PairwiseIoa(a, Boxes({1, 1, 3, 3})).requires_grad());
}

TEST(BoxOpsTest, PairwiseRejectsBadShapes) {
  EXPECT_THROW(PairwiseIou(at::zeros({3, 5}), at::zeros({2, 4})), c10::Error);
  EXPECT_THROW(PairwiseIou(at::zeros({3, 4}), at::zeros({2, 4}, at::kDouble)), c10::Error);
}

TEST(BoxOpsTest, EncodeOfAKnownPair) {
  // Anchor centre (5, 5), size 10x10; box centre (15, 10), size 20x10.
  const at::Tensor deltas = Encode(Boxes({0, 0, 10, 10}), Boxes({5, 5, 25, 15}));
  const at::Tensor expected = at::tensor({1.0f, 0.5f, std::log(2.0f), 0.0f}).reshape({1, 4});
  EXPECT_TRUE(at::allclose(deltas, expected)) << deltas;
  const at::Tensor weighted =
      Encode(Boxes({0, 0, 10, 10}), Boxes({5, 5, 25, 15}), {.x = 10, .y = 10, .w = 5, .h = 5});
  EXPECT_TRUE(at::allclose(weighted, expected * at::tensor({10.0f, 10.0f, 5.0f, 5.0f})));
}

TEST(BoxOpsTest, DecodeInvertsEncode) {
  const at::Tensor anchors = RandomBoxes(1000, 3);
  const at::Tensor boxes = RandomBoxes(1000, 4);
  for (const BoxCoderWeights& w : {BoxCoderWeights{}, BoxCoderWeights{10, 10, 5, 5}}) {
    const at::Tensor round_trip = Decode(anchors, Encode(anchors, boxes, w), w);
    EXPECT_TRUE(at::allclose(round_trip, boxes, /*rtol=*/1e-5, /*atol=*/1e-4))
        << (round_trip - boxes).abs().max();
  }
}

TEST(BoxOpsTest, DecodeBroadcastsAnchorsOverABatch) {
  const at::Tensor anchors = RandomBoxes(6, 5);
  const at::Tensor deltas = at::randn({2, 6, 4}) * 0.1;
  const at::Tensor boxes = Decode(anchors, deltas);
  ASSERT_EQ(boxes.sizes(), (at::IntArrayRef{2, 6, 4}));
  EXPECT_TRUE(at::allclose(boxes[1], Decode(anchors, deltas[1])));
}

TEST(BoxOpsTest, DecodeClampsScaleDeltas) {
  EXPECT_DOUBLE_EQ(kMaxLogScale, std::log(1000.0 / 16.0));
  // dw = dh = 100 would overflow exp(); clamped, a 16x16 anchor grows to 1000x1000.
  const at::Tensor boxes = Decode(Boxes({0, 0, 16, 16}), Boxes({0, 0, 100, 100}));
  EXPECT_TRUE(at::allclose(boxes, Boxes({-492, -492, 508, 508}), 1e-5, 1e-2)) << boxes;
}

TEST(BoxOpsTest, DecodeIsDifferentiableInTheDeltas) {
  const at::Tensor deltas = at::zeros({1, 4}).requires_grad_(true);
  Decode(Boxes({0, 0, 10, 20}), deltas).sum().backward();
  // d(x1 + y1 + x2 + y2) / d(dx, dy, dw, dh) at 0 = (2 * 10, 2 * 20, 0, 0).
  EXPECT_TRUE(at::allclose(deltas.grad(), at::tensor({20.0f, 40.0f, 0.0f, 0.0f}).reshape({1, 4})));
}

TEST(BoxOpsTest, ClipToImageClampsEachCoordinate) {
  const at::Tensor clipped = ClipToImage(Boxes({-5, -1, 30, 50, 2, 3, 4, 5}), 40, 20);
  EXPECT_TRUE(at::equal(clipped, Boxes({0, 0, 20, 40, 2, 3, 4, 5})));
}

}  // namespace
}  // namespace stlab::detection
