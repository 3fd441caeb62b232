// xoshiro256** (Blackman & Vigna) seeded through SplitMix64.
#include "core/rng.h"

namespace stlab {
namespace {

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t MixSeed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t StageKey(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t DeriveSeed(std::initializer_list<uint64_t> keys) {
  uint64_t h = 0x243f6a8885a308d3ULL;
  for (uint64_t k : keys) h = MixSeed(h ^ MixSeed(k));
  return h;
}

Rng::Rng(uint64_t seed) {
  uint64_t s = seed;
  for (uint64_t& word : state_) {
    s = MixSeed(s);
    word = s;
  }
}

uint64_t Rng::NextU64() {
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(NextU64());  // The full 64-bit range.
  // Lemire's rejection keeps the draw unbiased.
  const uint64_t limit = -span % span;
  uint64_t x;
  do {
    x = NextU64();
  } while (x < limit);
  return lo + static_cast<int64_t>(x % span);
}

}  // namespace stlab
