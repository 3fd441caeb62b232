// In-place Fisher-Yates shuffle driven by the portable Rng, so that a permutation
// is the same on every machine (std::shuffle's is implementation-defined).
#ifndef STLAB_CORE_SHUFFLE_H_
#define STLAB_CORE_SHUFFLE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.h"

namespace stlab {

template <typename T>
void Shuffle(std::vector<T>& items, Rng& rng) {
  for (int64_t i = static_cast<int64_t>(items.size()) - 1; i > 0; --i) {
    std::swap(items[i], items[rng.UniformInt(0, i)]);
  }
}

}  // namespace stlab

#endif  // STLAB_CORE_SHUFFLE_H_
