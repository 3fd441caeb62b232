#include "core/data/data_loader.h"

#include <numeric>
#include <set>

#include "ATen/ATen.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;

// Image i is filled with the value i; index 13 is broken.
class CountingDataset : public Dataset {
 public:
  int64_t Size() const override { return 20; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    if (index == 13) return absl::DataLossError("sample 13 is corrupt");
    Sample s;
    s.image_id = index;
    s.source = "count/" + std::to_string(index);
    s.image = at::full({4, 4, 3}, index, at::kByte);
    return s;
  }
  const DatasetInfo& Info() const override { return info_; }

 private:
  DatasetInfo info_;
};

// Adds a random 0..99 from the sample's Rng to every pixel: shows the draws.
class AddNoise : public Augmentation {
 public:
  absl::Status Apply(Sample& s, Rng& rng) const override {
    s.image = s.image + rng.UniformInt(0, 99);
    return absl::OkStatus();
  }
};

std::vector<int64_t> Good() {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < 20; ++i) {
    if (i != 13) v.push_back(i);
  }
  return v;
}

// The (image id, first pixel) of the first `n` batches.
std::vector<std::pair<int64_t, float>> Draw(int workers, int64_t n, int64_t seek = 0) {
  DataLoaderOptions options;
  options.batch_size = 3;
  options.num_workers = workers;
  options.seed = 5;
  options.normalization = {{0, 0, 0}, {1, 1, 1}};
  auto loader = *DataLoader::Create(std::make_shared<CountingDataset>(), Good(),
                                    {std::make_shared<AddNoise>()}, options);
  EXPECT_THAT(loader->Seek(seek), IsOk());
  std::vector<std::pair<int64_t, float>> out;
  for (int64_t b = 0; b < n; ++b) {
    Batch batch = *loader->Next();
    for (int64_t i = 0; i < 3; ++i) {
      out.emplace_back(batch.samples[i].image_id, batch.images[i][0][0][0].item<float>());
    }
  }
  return out;
}

TEST(DataLoaderTest, ResultsDoNotDependOnTheThreadCount) {
  const auto serial = Draw(0, 14);
  EXPECT_EQ(Draw(1, 14), serial);
  EXPECT_EQ(Draw(3, 14), serial);
}

TEST(DataLoaderTest, EpochsArePermutationsAndDiffer) {
  const auto draws = Draw(2, 12);  // 6 batches per epoch: 18 of 19 samples.
  std::set<int64_t> first;
  std::set<int64_t> second;
  for (int i = 0; i < 18; ++i) first.insert(draws[i].first);
  for (int i = 18; i < 36; ++i) second.insert(draws[i].first);
  EXPECT_EQ(first.size(), 18u);
  EXPECT_EQ(second.size(), 18u);
  EXPECT_NE(std::vector(draws.begin(), draws.begin() + 18),
            std::vector(draws.begin() + 18, draws.end()));
}

TEST(DataLoaderTest, SeekContinuesTheSameSequence) {
  const auto full = Draw(2, 10);
  const auto resumed = Draw(2, 3, /*seek=*/7);
  EXPECT_EQ(resumed, std::vector(full.begin() + 21, full.end()));
}

TEST(DataLoaderTest, BrokenSampleIsAnErrorNotACrash) {
  DataLoaderOptions options;
  options.batch_size = 20;
  options.num_workers = 2;
  std::vector<int64_t> all(20);
  std::iota(all.begin(), all.end(), 0);
  auto loader = *DataLoader::Create(std::make_shared<CountingDataset>(), all, {}, options);
  absl::StatusOr<Batch> batch = loader->Next();
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find("sample 13 is corrupt"), std::string::npos);
}

TEST(DataLoaderTest, BadSetupsAreErrors) {
  auto data = std::make_shared<CountingDataset>();
  DataLoaderOptions options;
  options.batch_size = 50;
  EXPECT_FALSE(DataLoader::Create(data, Good(), {}, options).ok());
  options.batch_size = 2;
  EXPECT_FALSE(DataLoader::Create(data, {0, 99}, {}, options).ok());
}

}  // namespace
}  // namespace stlab
