// Initializer interface: where a model's starting weights come from.
#ifndef STLAB_CORE_INITIALIZER_H_
#define STLAB_CORE_INITIALIZER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/export.h"
#include "torch/nn/module.h"

namespace stlab {

/// Random, supervised pre-training, SimCLR, imported weights, ...
class STLAB_API Initializer {
 public:
  virtual ~Initializer() = default;

  /// Sets `module`'s parameters and buffers in place; all randomness is drawn from
  /// `seed`. A module whose parameter names or shapes do not fit is an error that
  /// names them (no silent partial initialization).
  virtual absl::Status Initialize(torch::nn::Module& module, uint64_t seed) const = 0;

  /// Where the weights came from, for run reports ("random (kaiming_normal)",
  /// "checkpoint runs/x/backbone.pt sha256:...").
  virtual std::string Origin() const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_INITIALIZER_H_
