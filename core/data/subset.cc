// Seeded permutation prefixes as nested subsets.
#include "core/data/subset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/atomic_file.h"
#include "core/shuffle.h"
#include "core/rng.h"

namespace stlab {

absl::StatusOr<std::vector<int64_t>> NestedSubset(int64_t size, double fraction, uint64_t seed) {
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("size must be >= 0, got ", size));
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("labeled fraction must be in (0, 1], got ", fraction));
  }
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(DeriveSeed({seed, 0x5ab5e7ULL}));
  Shuffle(order, rng);
  // The epsilon keeps e.g. 0.2 * 10 from rounding up to 3.
  const auto count = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(size) - 1e-9));
  order.resize(static_cast<size_t>(std::clamp<int64_t>(count, size > 0 ? 1 : 0, size)));
  std::sort(order.begin(), order.end());
  return order;
}

std::vector<int64_t> ComplementOf(const std::vector<int64_t>& subset, int64_t size) {
  std::vector<int64_t> rest;
  rest.reserve(static_cast<size_t>(std::max<int64_t>(0, size - static_cast<int64_t>(subset.size()))));
  auto next = subset.begin();
  for (int64_t i = 0; i < size; ++i) {
    while (next != subset.end() && *next < i) ++next;
    if (next == subset.end() || *next != i) rest.push_back(i);
  }
  return rest;
}

SubsetView::SubsetView(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {}

absl::StatusOr<Sample> SubsetView::Get(int64_t index) const {
  if (index < 0 || index >= Size()) {
    return absl::OutOfRangeError(absl::StrCat("subset index ", index, " not in [0, ", Size(), ")"));
  }
  return dataset_->Get(indices_[static_cast<size_t>(index)]);
}

absl::Status WriteSubset(const std::filesystem::path& path, const std::vector<int64_t>& indices) {
  std::string text;
  for (int64_t i : indices) absl::StrAppend(&text, i, "\n");
  return WriteFileAtomically(path, text);
}

absl::StatusOr<std::vector<int64_t>> ReadSubset(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("subset file '", path.string(), "' cannot be read"));
  std::vector<int64_t> indices;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    int64_t value = 0;
    if (!absl::SimpleAtoi(line, &value) || value < 0) {
      return absl::InvalidArgumentError(absl::StrCat(path.string(), ":", line_number,
                                                     ": expected a non-negative index, got '",
                                                     line, "'"));
    }
    indices.push_back(value);
  }
  return indices;
}

}  // namespace stlab
