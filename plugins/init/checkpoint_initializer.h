// Initialization from an stlab checkpoint (core/checkpoint.h): a finished run's
// model_final.pt, a training checkpoint.pt or a pre-training run's output.
#ifndef STLAB_PLUGINS_INIT_CHECKPOINT_INITIALIZER_H_
#define STLAB_PLUGINS_INIT_CHECKPOINT_INITIALIZER_H_

#include <filesystem>
#include <mutex>
#include <string>

#include "core/initializer.h"

namespace stlab::init {

/// Loads the tensors of the checkpoint's model whose names start with `prefix`
/// ("backbone." for a TaskModel's backbone), with the prefix removed, into the
/// module; the file's other tensors are ignored. Strict or partial as described at
/// LoadNamedTensors. The seed is unused: nothing is random.
/// Thread safety: Initialize may run concurrently; Origin reports the file read last.
class CheckpointInitializer : public Initializer {
 public:
  /// A relative `path` is taken from the working directory.
  CheckpointInitializer(const std::filesystem::path& path, std::string prefix, bool strict);
  absl::Status Initialize(torch::nn::Module& module, uint64_t seed) const override;
  /// "checkpoint /abs/path sha256:0123456789ab" (without the digest before
  /// Initialize), followed, for a file that records what produced it, by that in
  /// parentheses: "(simclr, 500000 iterations, config sha256:..., data ..., stlab ...)"
  /// (DescribeProvenance, core/checkpoint.h).
  std::string Origin() const override;

 private:
  std::filesystem::path path_;
  std::string prefix_;
  bool strict_;
  mutable std::mutex mutex_;
  mutable std::string sha256_hex_;
  mutable std::string provenance_;  // DescribeProvenance of the file read last.
};

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_CHECKPOINT_INITIALIZER_H_
