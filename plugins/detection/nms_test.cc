#include "plugins/detection/nms.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "ATen/ATen.h"
#include "ATen/core/dispatch/Dispatcher.h"
#include "c10/util/Exception.h"
#include "gtest/gtest.h"

namespace stlab::detection {
namespace {

at::Tensor Boxes(std::vector<float> values) { return at::tensor(values).reshape({-1, 4}); }
at::Tensor Scores(std::vector<float> values) { return at::tensor(values); }
std::vector<int64_t> ToVector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).contiguous();
  EXPECT_EQ(c.scalar_type(), at::kLong);
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// Clustered boxes, so that suppression actually happens: `n` boxes jittered around
// n / 8 centres, sides 10..60 pixels, distinct scores.
struct RandomCase {
  at::Tensor boxes;
  at::Tensor scores;
  at::Tensor labels;
};
RandomCase MakeRandomCase(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> centre(0, 400), side(10, 60), jitter(-8, 8);
  std::vector<float> boxes, scores(n);
  std::vector<int64_t> labels(n);
  std::vector<std::array<float, 2>> centres(std::max<int64_t>(1, n / 8));
  for (auto& c : centres) c = {centre(rng), centre(rng)};
  for (int64_t i = 0; i < n; ++i) {
    const auto& c = centres[rng() % centres.size()];
    const float cx = c[0] + jitter(rng), cy = c[1] + jitter(rng);
    const float w = side(rng), h = side(rng);
    boxes.insert(boxes.end(), {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2});
    labels[i] = static_cast<int64_t>(rng() % 3);
  }
  std::iota(scores.begin(), scores.end(), 0.0f);
  std::shuffle(scores.begin(), scores.end(), rng);
  return {Boxes(boxes), at::tensor(scores) / n, at::tensor(labels)};
}

// The textbook greedy algorithm, O(n^2), written independently of the kernel.
std::vector<int64_t> ReferenceNms(const at::Tensor& boxes, const at::Tensor& scores,
                                  double threshold) {
  const int64_t n = boxes.size(0);
  const auto b = boxes.accessor<float, 2>();
  const auto s = scores.accessor<float, 1>();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return s[i] > s[j]; });
  auto iou = [&](int64_t i, int64_t j) {
    const float ai = (b[i][2] - b[i][0]) * (b[i][3] - b[i][1]);
    const float aj = (b[j][2] - b[j][0]) * (b[j][3] - b[j][1]);
    const float w = std::max(0.0f, std::min(b[i][2], b[j][2]) - std::max(b[i][0], b[j][0]));
    const float h = std::max(0.0f, std::min(b[i][3], b[j][3]) - std::max(b[i][1], b[j][1]));
    return w * h / (ai + aj - w * h);
  };
  std::vector<int64_t> keep;
  for (int64_t i : order) {
    if (std::none_of(keep.begin(), keep.end(), [&](int64_t k) { return iou(k, i) > threshold; })) {
      keep.push_back(i);
    }
  }
  return keep;
}

TEST(NmsTest, OpIsRegisteredWithTheDispatcher) {
  const std::optional<c10::OperatorHandle> op =
      c10::Dispatcher::singleton().findSchema({kNmsOpName, ""});
  ASSERT_TRUE(op.has_value()) << "stlab::nms was dropped by the linker";
  EXPECT_EQ(c10::toString(op->schema()),
            "stlab::nms(Tensor boxes, Tensor scores, float iou_threshold) -> Tensor");
  EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CPU));
#ifdef STLAB_WITH_CUDA
  EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CUDA));
#endif
}

TEST(NmsTest, SuppressesOverlapsAndKeepsDisjointBoxes) {
  // Boxes 0 and 1 overlap by 81 / 119 = 0.68; box 2 is apart.
  const at::Tensor boxes = Boxes({0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30});
  EXPECT_EQ(ToVector(Nms(boxes, Scores({0.9f, 0.8f, 0.7f}), 0.5)), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(ToVector(Nms(boxes, Scores({0.8f, 0.9f, 0.7f}), 0.5)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ToVector(Nms(boxes, Scores({0.9f, 0.8f, 0.7f}), 0.7)), (std::vector<int64_t>{0, 1, 2}));
}

TEST(NmsTest, KeepsIndicesInDecreasingScoreOrder) {
  const at::Tensor boxes = Boxes({0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21});
  EXPECT_EQ(ToVector(Nms(boxes, Scores({0.1f, 0.9f, 0.5f}), 0.5)), (std::vector<int64_t>{1, 2, 0}));
}

TEST(NmsTest, SuppressedBoxesDoNotSuppress) {
  // IoU(0, 1) = IoU(1, 2) = 70 / 130 = 0.54, IoU(0, 2) = 40 / 160 = 0.25: box 1 goes,
  // so box 2, which only box 1 overlapped, stays.
  const at::Tensor boxes = Boxes({0, 0, 10, 10, 3, 0, 13, 10, 6, 0, 16, 10});
  EXPECT_EQ(ToVector(Nms(boxes, Scores({0.9f, 0.8f, 0.7f}), 0.5)), (std::vector<int64_t>{0, 2}));
}

TEST(NmsTest, EqualScoresAreVisitedInIndexOrder) {
  const at::Tensor same = Boxes({0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10});
  EXPECT_EQ(ToVector(Nms(same, Scores({0.5f, 0.5f, 0.5f}), 0.5)), (std::vector<int64_t>{0}));
  EXPECT_EQ(ToVector(Nms(same, Scores({0.4f, 0.5f, 0.5f}), 0.5)), (std::vector<int64_t>{1}));
  const at::Tensor apart = Boxes({0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21});
  EXPECT_EQ(ToVector(Nms(apart, Scores({0.5f, 0.5f, 0.5f}), 0.5)), (std::vector<int64_t>{0, 1, 2}));
}

TEST(NmsTest, ThresholdIsExclusive) {
  // [0,0,4,1] and [0,0,2,1]: intersection 2, union 4, IoU exactly 0.5.
  const at::Tensor boxes = Boxes({0, 0, 4, 1, 0, 0, 2, 1});
  const at::Tensor scores = Scores({0.9f, 0.8f});
  EXPECT_EQ(ToVector(Nms(boxes, scores, 0.5)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ToVector(Nms(boxes, scores, 0.4999)), (std::vector<int64_t>{0}));
  // Threshold 1 never suppresses, not even identical boxes; threshold 0 drops any overlap.
  EXPECT_EQ(ToVector(Nms(Boxes({0, 0, 2, 2, 0, 0, 2, 2}), scores, 1.0)),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ToVector(Nms(Boxes({0, 0, 2, 2, 1.9f, 0, 4, 2}), scores, 0.0)),
            (std::vector<int64_t>{0}));
}

TEST(NmsTest, EmptyInputGivesEmptyInt64) {
  const at::Tensor keep = Nms(at::zeros({0, 4}), at::zeros({0}), 0.5);
  EXPECT_EQ(keep.numel(), 0);
  EXPECT_EQ(keep.scalar_type(), at::kLong);
  const at::Tensor batched =
      BatchedNms(at::zeros({0, 4}), at::zeros({0}), at::zeros({0}, at::kLong), 0.5);
  EXPECT_EQ(batched.numel(), 0);
  EXPECT_EQ(batched.scalar_type(), at::kLong);
}

TEST(NmsTest, MatchesBruteForceOnRandomBoxes) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const RandomCase c = MakeRandomCase(600, seed);
    for (double threshold : {0.3, 0.5, 0.7}) {
      const std::vector<int64_t> keep = ToVector(Nms(c.boxes, c.scores, threshold));
      EXPECT_EQ(keep, ReferenceNms(c.boxes, c.scores, threshold))
          << "seed " << seed << " threshold " << threshold;
      EXPECT_LT(keep.size(), 600u);  // The case exercises suppression.
    }
  }
}

TEST(NmsTest, DoubleAndHalfInputsWork) {
  const at::Tensor boxes = Boxes({0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30});
  const at::Tensor scores = Scores({0.9f, 0.8f, 0.7f});
  for (at::ScalarType t : {at::kDouble, at::kHalf, at::kBFloat16}) {
    EXPECT_EQ(ToVector(Nms(boxes.to(t), scores.to(t), 0.5)), (std::vector<int64_t>{0, 2})) << t;
  }
}

TEST(NmsTest, RejectsBadInputs) {
  EXPECT_THROW(Nms(at::zeros({3, 4}), at::zeros({2}), 0.5), c10::Error);
  EXPECT_THROW(Nms(at::zeros({3, 5}), at::zeros({3}), 0.5), c10::Error);
  EXPECT_THROW(Nms(at::zeros({3, 4}), at::zeros({3}, at::kDouble), 0.5), c10::Error);
  EXPECT_THROW(Nms(at::zeros({3, 4}, at::kLong), at::zeros({3}, at::kLong), 0.5), c10::Error);
  EXPECT_THROW(BatchedNms(at::zeros({3, 4}), at::zeros({3}), at::zeros({2}, at::kLong), 0.5),
               c10::Error);
}

TEST(NmsTest, BatchedNmsSuppressesOnlyWithinAClass) {
  const at::Tensor boxes = Boxes({0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 10, 10});
  const at::Tensor scores = Scores({0.9f, 0.8f, 0.7f});
  // Box 1 is another class than box 0 and survives; box 2 is box 0's class and goes.
  EXPECT_EQ(ToVector(BatchedNms(boxes, scores, at::tensor(std::vector<int64_t>{0, 1, 0}), 0.5)),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ToVector(BatchedNms(boxes, scores, at::tensor(std::vector<int64_t>{4, 5, 6}), 0.5)),
            (std::vector<int64_t>{0, 1, 2}));
}

TEST(NmsTest, BatchedNmsEqualsNmsPerClass) {
  for (uint32_t seed : {4u, 5u}) {
    RandomCase c = MakeRandomCase(400, seed);
    c.boxes = c.boxes - 200;  // Negative coordinates too.
    std::vector<int64_t> expected;
    for (int64_t label = 0; label < 3; ++label) {
      const at::Tensor idx = (c.labels == label).nonzero().squeeze(1);
      const at::Tensor kept = idx.index_select(
          0, Nms(c.boxes.index_select(0, idx), c.scores.index_select(0, idx), 0.5));
      const std::vector<int64_t> v = ToVector(kept);
      expected.insert(expected.end(), v.begin(), v.end());
    }
    const auto s = c.scores.accessor<float, 1>();
    std::sort(expected.begin(), expected.end(), [&](int64_t i, int64_t j) { return s[i] > s[j]; });
    EXPECT_EQ(ToVector(BatchedNms(c.boxes, c.scores, c.labels, 0.5)), expected) << "seed " << seed;
  }
}

TEST(NmsTest, CudaKernelAgreesWithCpu) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  for (uint32_t seed : {6u, 7u}) {
    for (int64_t n : {0, 1, 63, 64, 65, 3000}) {
      const RandomCase c = MakeRandomCase(n, seed);
      for (double threshold : {0.3, 0.5, 0.7}) {
        const at::Tensor cuda = Nms(c.boxes.cuda(), c.scores.cuda(), threshold);
        EXPECT_TRUE(cuda.is_cuda());
        EXPECT_EQ(ToVector(cuda), ToVector(Nms(c.boxes, c.scores, threshold)))
            << "n " << n << " seed " << seed << " threshold " << threshold;
      }
      EXPECT_EQ(ToVector(BatchedNms(c.boxes.cuda(), c.scores.cuda(), c.labels.cuda(), 0.5)),
                ToVector(BatchedNms(c.boxes, c.scores, c.labels, 0.5)));
    }
  }
}

}  // namespace
}  // namespace stlab::detection
