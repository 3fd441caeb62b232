// Multi-threaded loading: samples -> augmentations -> padded batches, in an order
// and with random draws that depend only on (seed, stage, epoch, sample index),
// never on the number of threads or their timing.
#ifndef STLAB_CORE_DATA_DATA_LOADER_H_
#define STLAB_CORE_DATA_DATA_LOADER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/augmentation.h"
#include "core/data/batch.h"
#include "core/dataset.h"
#include "core/export.h"

namespace stlab {

struct DataLoaderOptions {
  int64_t batch_size = 8;
  /// Worker threads; 0 loads on the caller's thread.
  int num_workers = 2;
  /// Batches prepared ahead of the consumer, at most.
  int prefetch_batches = 4;
  /// Run seed and a stage key (e.g. hash of "teacher"), for orders and augmentations.
  uint64_t seed = 0;
  uint64_t stage = 0;
  /// Reshuffle `indices` every epoch (else keep their order).
  bool shuffle = true;
  int64_t size_divisor = 32;
  Normalization normalization;
};

/// Endless iterator over batches of `indices` (epoch after epoch; an epoch drops
/// its last incomplete batch). Batch b is epoch b / batches_per_epoch; within an
/// epoch the order is a permutation drawn from DeriveSeed({seed, stage, epoch}),
/// and sample i of that epoch is augmented with Rng(DeriveSeed({seed, stage,
/// epoch, i})). Next() is for one consumer thread.
class STLAB_API DataLoader {
 public:
  /// Fails if there are fewer indices than one batch, or an index is out of range.
  static absl::StatusOr<std::unique_ptr<DataLoader>> Create(
      std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices,
      std::vector<std::shared_ptr<const Augmentation>> augmentations, DataLoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  /// The next batch, or the error of a sample that failed to load or augment.
  absl::StatusOr<Batch> Next();

  /// Index of the batch Next() returns next: the data-order state a checkpoint
  /// saves. Restoring it (with the same options) continues the same sequence.
  int64_t next_batch() const { return next_batch_; }
  /// Sets the next batch; call before the first Next().
  absl::Status Seek(int64_t batch);

  int64_t batches_per_epoch() const;

 private:
  DataLoader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices,
             std::vector<std::shared_ptr<const Augmentation>> augmentations,
             DataLoaderOptions options);
  absl::StatusOr<Batch> Produce(int64_t batch) const;
  std::vector<int64_t> EpochOrder(int64_t epoch) const;
  void WorkerLoop();

  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
  std::vector<std::shared_ptr<const Augmentation>> augmentations_;
  DataLoaderOptions options_;
  int64_t next_batch_ = 0;

  // Workers take batch numbers in order and park results for Next().
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t next_to_produce_ = 0;
  std::map<int64_t, absl::StatusOr<Batch>> ready_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace stlab

#endif  // STLAB_CORE_DATA_DATA_LOADER_H_
