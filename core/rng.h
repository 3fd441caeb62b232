// Deterministic random streams. Every random draw in stlab comes from an Rng derived
// from (run seed, stage, epoch, sample index), so results do not depend on thread
// counts or scheduling, and the same seed gives the same numbers on every machine:
// the generator and the distributions below are fully specified here, not left to
// the standard library's implementation-defined distributions.
#ifndef STLAB_CORE_RNG_H_
#define STLAB_CORE_RNG_H_

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "core/export.h"

namespace stlab {

/// SplitMix64 step: a good 64-bit mixer, used to derive independent seeds.
STLAB_API uint64_t MixSeed(uint64_t x);

/// A stable 64-bit key for a stage name ("model", "train", "teacher"), for
/// DeriveSeed: FNV-1a, identical on every platform.
STLAB_API uint64_t StageKey(std::string_view name);

/// Derives one stream's seed from a list of keys, e.g. {seed, stage, epoch, index}.
STLAB_API uint64_t DeriveSeed(std::initializer_list<uint64_t> keys);

/// xoshiro256** generator with portable distributions. Not thread-safe: give each
/// thread (or each sample) its own stream.
class STLAB_API Rng {
 public:
  explicit Rng(uint64_t seed);

  /// Uniform 64 random bits.
  uint64_t NextU64();
  /// Uniform double in [0, 1) with 53 random bits.
  double Uniform();
  /// Uniform double in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  /// Uniform integer in [lo, hi] (inclusive), unbiased.
  int64_t UniformInt(int64_t lo, int64_t hi);
  /// True with probability p.
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  uint64_t state_[4];
};

}  // namespace stlab

#endif  // STLAB_CORE_RNG_H_
