#include "core/data/subset.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;

TEST(NestedSubsetTest, FractionsAreNestedSortedAndSized) {
  auto p20 = *NestedSubset(1000, 0.2, 7);
  auto p50 = *NestedSubset(1000, 0.5, 7);
  auto p100 = *NestedSubset(1000, 1.0, 7);
  EXPECT_EQ(p20.size(), 200u);
  EXPECT_EQ(p50.size(), 500u);
  EXPECT_EQ(p100.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(p20.begin(), p20.end()));
  EXPECT_TRUE(std::includes(p50.begin(), p50.end(), p20.begin(), p20.end()));
  EXPECT_TRUE(std::includes(p100.begin(), p100.end(), p50.begin(), p50.end()));
}

TEST(NestedSubsetTest, SameSeedSameSubsetOtherSeedOtherSubset) {
  EXPECT_EQ(*NestedSubset(500, 0.2, 1), *NestedSubset(500, 0.2, 1));
  EXPECT_NE(*NestedSubset(500, 0.2, 1), *NestedSubset(500, 0.2, 2));
  // Pinned: the subset must never change across platforms or releases.
  EXPECT_EQ(*NestedSubset(10, 0.3, 0), (std::vector<int64_t>{1, 2, 5}));
}

TEST(NestedSubsetTest, BadFractionsAreErrors) {
  EXPECT_FALSE(NestedSubset(10, 0.0, 0).ok());
  EXPECT_FALSE(NestedSubset(10, 1.5, 0).ok());
  EXPECT_FALSE(NestedSubset(-1, 0.5, 0).ok());
  EXPECT_EQ(NestedSubset(3, 0.01, 0)->size(), 1u);  // Never empty for a non-empty set.
}

TEST(NestedSubsetTest, PersistsAndReadsBack) {
  const auto dir = stlab::testing::FreshTestDir();
  auto subset = *NestedSubset(100, 0.5, 3);
  ASSERT_THAT(WriteSubset(dir / "labeled.txt", subset), IsOk());
  EXPECT_EQ(*ReadSubset(dir / "labeled.txt"), subset);
  stlab::testing::WriteFile(dir / "bad.txt", "1\n2\nx\n");
  absl::StatusOr<std::vector<int64_t>> bad = ReadSubset(dir / "bad.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.txt:3: expected a non-negative index"),
            std::string::npos);
}

TEST(ComplementOfTest, RestOfALabeledSubsetCoversEverythingElseOnce) {
  const std::vector<int64_t> labeled = *NestedSubset(50, 0.2, 3);
  const std::vector<int64_t> rest = ComplementOf(labeled, 50);
  EXPECT_EQ(labeled.size() + rest.size(), 50u);
  EXPECT_TRUE(std::is_sorted(rest.begin(), rest.end()));
  std::vector<int64_t> both;
  std::set_intersection(labeled.begin(), labeled.end(), rest.begin(), rest.end(),
                        std::back_inserter(both));
  EXPECT_TRUE(both.empty());
  EXPECT_EQ(ComplementOf({0, 2}, 4), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(ComplementOf({0, 1, 2}, 3).empty());
  EXPECT_EQ(ComplementOf({}, 2), (std::vector<int64_t>{0, 1}));
}

class NumberedDataset : public Dataset {
 public:
  int64_t Size() const override { return 10; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    Sample sample;
    sample.image_id = 100 + index;
    return sample;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

TEST(SubsetViewTest, ServesTheChosenItemsAndRejectsOthers) {
  const SubsetView view(std::make_shared<NumberedDataset>(), {7, 2});
  ASSERT_EQ(view.Size(), 2);
  EXPECT_EQ(view.Get(0)->image_id, 107);
  EXPECT_EQ(view.Get(1)->image_id, 102);
  EXPECT_EQ(view.Get(2).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(view.Get(-1).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace stlab
