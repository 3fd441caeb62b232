// Labeled-data fractions (the paper's 20%, 50%, 100%): nested, seeded subsets that
// are the same on every machine and in every process, and can be persisted.
#ifndef STLAB_CORE_DATA_SUBSET_H_
#define STLAB_CORE_DATA_SUBSET_H_

#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

/// Indices of a `fraction` (in (0, 1]) of `size` items: the first
/// ceil(fraction * size) entries of a permutation drawn from `seed`, sorted. For
/// one seed, a smaller fraction's subset is contained in a larger one's.
STLAB_API absl::StatusOr<std::vector<int64_t>> NestedSubset(int64_t size, double fraction,
                                                            uint64_t seed);

/// Writes indices one per line (atomically), e.g. into a run folder, so that a
/// subset can be audited and reused exactly.
STLAB_API absl::Status WriteSubset(const std::filesystem::path& path,
                                   const std::vector<int64_t>& indices);

/// Reads what WriteSubset wrote; a malformed line is an error naming its number.
STLAB_API absl::StatusOr<std::vector<int64_t>> ReadSubset(const std::filesystem::path& path);

}  // namespace stlab

#endif  // STLAB_CORE_DATA_SUBSET_H_
