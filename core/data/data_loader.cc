// Ordered, prefetching batch production on a small thread pool.
#include "core/data/data_loader.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/shuffle.h"
#include "core/rng.h"
#include "core/status.h"

namespace stlab {

absl::StatusOr<std::unique_ptr<DataLoader>> DataLoader::Create(
    std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices,
    std::vector<std::shared_ptr<const Augmentation>> augmentations, DataLoaderOptions options) {
  if (options.batch_size < 1 || options.num_workers < 0 || options.prefetch_batches < 1) {
    return absl::InvalidArgumentError(
        "data loader: batch_size and prefetch_batches must be >= 1, num_workers >= 0");
  }
  if (static_cast<int64_t>(indices.size()) < options.batch_size) {
    return absl::InvalidArgumentError(absl::StrCat("data loader: ", indices.size(),
                                                   " samples cannot fill one batch of ",
                                                   options.batch_size));
  }
  for (int64_t i : indices) {
    if (i < 0 || i >= dataset->Size()) {
      return absl::OutOfRangeError(absl::StrCat("data loader: index ", i,
                                                " is outside the dataset's [0, ", dataset->Size(),
                                                ")"));
    }
  }
  return std::unique_ptr<DataLoader>(new DataLoader(std::move(dataset), std::move(indices),
                                                    std::move(augmentations), options));
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices,
                       std::vector<std::shared_ptr<const Augmentation>> augmentations,
                       DataLoaderOptions options)
    : dataset_(std::move(dataset)),
      indices_(std::move(indices)),
      augmentations_(std::move(augmentations)),
      options_(options) {}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
}

int64_t DataLoader::batches_per_epoch() const {
  return static_cast<int64_t>(indices_.size()) / options_.batch_size;
}

absl::Status DataLoader::Seek(int64_t batch) {
  if (!workers_.empty() || batch < 0) {
    return absl::FailedPreconditionError("data loader: Seek needs a batch >= 0 before Next()");
  }
  next_batch_ = batch;
  next_to_produce_ = batch;
  return absl::OkStatus();
}

std::vector<int64_t> DataLoader::EpochOrder(int64_t epoch) const {
  std::vector<int64_t> order = indices_;
  if (!options_.shuffle) return order;
  Rng rng(DeriveSeed({options_.seed, options_.stage, static_cast<uint64_t>(epoch)}));
  Shuffle(order, rng);
  return order;
}

absl::StatusOr<Batch> DataLoader::Produce(int64_t batch) const {
  const int64_t epoch = batch / batches_per_epoch();
  const int64_t first = (batch % batches_per_epoch()) * options_.batch_size;
  const std::vector<int64_t> order = EpochOrder(epoch);
  std::vector<Sample> samples;
  samples.reserve(options_.batch_size);
  for (int64_t k = first; k < first + options_.batch_size; ++k) {
    const int64_t index = order[k];
    STLAB_ASSIGN_OR_RETURN(Sample sample,
                           CallAndCatch(absl::StrCat("loading sample ", index),
                                        [&] { return dataset_->Get(index); }));
    Rng rng(DeriveSeed({options_.seed, options_.stage, static_cast<uint64_t>(epoch),
                        static_cast<uint64_t>(index)}));
    for (const auto& augmentation : augmentations_) {
      STLAB_RETURN_IF_ERROR(CallAndCatch(absl::StrCat("augmenting ", sample.source),
                                         [&] { return augmentation->Apply(sample, rng); }));
    }
    samples.push_back(std::move(sample));
  }
  return Collate(std::move(samples), options_.size_divisor, options_.normalization);
}

void DataLoader::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] {
      return stopping_ || next_to_produce_ < next_batch_ + options_.prefetch_batches;
    });
    if (stopping_) return;
    const int64_t batch = next_to_produce_++;
    lock.unlock();
    absl::StatusOr<Batch> result = Produce(batch);
    lock.lock();
    ready_.emplace(batch, std::move(result));
    changed_.notify_all();
  }
}

absl::StatusOr<Batch> DataLoader::Next() {
  if (options_.num_workers == 0) return Produce(next_batch_++);
  std::unique_lock<std::mutex> lock(mutex_);
  if (workers_.empty()) {
    for (int i = 0; i < options_.num_workers; ++i) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
  }
  changed_.wait(lock, [&] { return ready_.count(next_batch_) > 0; });
  auto node = ready_.extract(next_batch_);
  ++next_batch_;
  changed_.notify_all();
  return std::move(node.mapped());
}

}  // namespace stlab
