// Labeled-data fractions (the paper's 20%, 50%, 100%): nested, seeded subsets that
// are the same on every machine and in every process, and can be persisted.
#ifndef STLAB_CORE_DATA_SUBSET_H_
#define STLAB_CORE_DATA_SUBSET_H_

#include <cstdint>
#include <filesystem>
#include <vector>

#include <memory>

#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "core/export.h"

namespace stlab {

/// Indices of a `fraction` (in (0, 1]) of `size` items: the first
/// ceil(fraction * size) entries of a permutation drawn from `seed`, sorted. For
/// one seed, a smaller fraction's subset is contained in a larger one's.
STLAB_API absl::StatusOr<std::vector<int64_t>> NestedSubset(int64_t size, double fraction,
                                                            uint64_t seed);

/// The indices in [0, size) that `subset` (ascending, as NestedSubset returns)
/// leaves out, ascending: for a labeled subset, the rest of the labeled set.
STLAB_API std::vector<int64_t> ComplementOf(const std::vector<int64_t>& subset, int64_t size);

/// The items `indices` of `dataset`, in that order: item i is dataset item indices[i].
class STLAB_API SubsetView : public Dataset {
 public:
  SubsetView(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);
  int64_t Size() const override { return static_cast<int64_t>(indices_.size()); }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return dataset_->Info(); }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

/// Writes indices one per line (atomically), e.g. into a run folder, so that a
/// subset can be audited and reused exactly.
STLAB_API absl::Status WriteSubset(const std::filesystem::path& path,
                                   const std::vector<int64_t>& indices);

/// Reads what WriteSubset wrote; a malformed line is an error naming its number.
STLAB_API absl::StatusOr<std::vector<int64_t>> ReadSubset(const std::filesystem::path& path);

}  // namespace stlab

#endif  // STLAB_CORE_DATA_SUBSET_H_
