#include "core/rng.h"

#include <set>

#include "gtest/gtest.h"

namespace stlab {
namespace {

TEST(RngTest, SameSeedSameStream) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.NextU64(), b.NextU64());
}

TEST(RngTest, StreamIsPinnedAcrossPlatforms) {
  // xoshiro256** seeded through SplitMix64 is fully specified; these values must
  // never change, or every stored experiment stops being reproducible.
  Rng rng(0);
  EXPECT_EQ(rng.NextU64(), 1905207664160064169ULL);
  EXPECT_EQ(MixSeed(0), 0xe220a8397b1dcdafULL);
}

TEST(RngTest, DerivedSeedsDifferPerKey) {
  std::set<uint64_t> seeds;
  for (uint64_t epoch = 0; epoch < 10; ++epoch) {
    for (uint64_t index = 0; index < 100; ++index) seeds.insert(DeriveSeed({7, 1, epoch, index}));
  }
  EXPECT_EQ(seeds.size(), 1000u);
  EXPECT_NE(DeriveSeed({1, 2}), DeriveSeed({2, 1}));
}

TEST(RngTest, UniformIntCoversInclusiveRangeEvenly) {
  Rng rng(3);
  int counts[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 50000; ++i) {
    const int64_t v = rng.UniformInt(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    ++counts[v + 2];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(RngTest, UniformInUnitInterval) {
  Rng rng(5);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(RngTest, StageKeyIsFnv1aAndStable) {
  EXPECT_EQ(StageKey(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(StageKey("a"), 0xaf63dc4c8601ec8cULL);  // Published FNV-1a 64 test vector.
  EXPECT_NE(StageKey("model"), StageKey("train"));
}

}  // namespace
}  // namespace stlab
