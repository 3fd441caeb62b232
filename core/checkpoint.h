// Training checkpoints: model, optimizer and run state in one file, written
// atomically so that a run killed at any moment resumes from the last complete
// checkpoint.
#ifndef STLAB_CORE_CHECKPOINT_H_
#define STLAB_CORE_CHECKPOINT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/export.h"
#include "torch/nn/module.h"
#include "torch/optim/optimizer.h"

namespace stlab {

/// Everything besides tensors that a resumed run needs to continue exactly.
struct RunState {
  int64_t iteration = 0;                    ///< Iterations completed.
  std::map<std::string, double> scalars;    ///< E.g. loss-combiner running means.
  std::map<std::string, std::string> text;  ///< E.g. config hash, initialization origin.
  std::map<std::string, at::Tensor> tensors;  ///< E.g. EMA weights, generator states.
};

/// Stores the state of LibTorch's default CPU generator (dropout, stochastic depth)
/// in `state.tensors`, so that a resumed run draws the same numbers.
STLAB_API void StoreTorchGeneratorState(RunState& state);
/// Restores what StoreTorchGeneratorState stored; nothing when it is absent.
STLAB_API void RestoreTorchGeneratorState(const RunState& state);

/// Keeps a finished run's final metrics in `state.scalars`, so that starting the
/// finished run again reports them without evaluating again.
STLAB_API void StoreFinalMetrics(const std::map<std::string, double>& metrics, RunState& state);
/// What StoreFinalMetrics stored (empty for an unfinished run).
STLAB_API std::map<std::string, double> FinalMetricsOf(const RunState& state);

/// Writes `model` (parameters and buffers), `optimizer` (if not null) and `state`
/// to `path` through a temporary file, fsync and rename, with the SHA-256 of its
/// contents, which every load checks first.
STLAB_API absl::Status SaveCheckpoint(const std::filesystem::path& path,
                                      const torch::nn::Module& model,
                                      const torch::optim::Optimizer* optimizer,
                                      const RunState& state);

/// Restores what SaveCheckpoint wrote. Strict: a parameter or buffer of `model`
/// missing from the file, or of another shape, is an error naming it; so is a file
/// that is not a checkpoint of this format (InvalidArgument). A file whose
/// checksum does not match (damaged, truncated) is DataLoss; nothing is restored.
STLAB_API absl::Status LoadCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                                      torch::optim::Optimizer* optimizer, RunState* state);

/// A run's rolling checkpoint keeps the last two: "checkpoint.pt" and
/// "checkpoint.previous.pt".
STLAB_API std::filesystem::path PreviousCheckpointPath(const std::filesystem::path& path);

/// Whether `path` or its previous checkpoint exists (a run to resume).
STLAB_API bool HasRollingCheckpoint(const std::filesystem::path& path);

/// SaveCheckpoint, after moving the checkpoint at `path` (if any) to
/// PreviousCheckpointPath(path).
STLAB_API absl::Status SaveRollingCheckpoint(const std::filesystem::path& path,
                                             const torch::nn::Module& model,
                                             const torch::optim::Optimizer* optimizer,
                                             const RunState& state);

/// Restores the newest intact rolling checkpoint: `path`, or, when that is missing
/// or damaged, the previous one (with a warning naming the damaged file). Returns
/// the file it restored. Other errors (a checkpoint of another model) do not fall
/// back.
STLAB_API absl::StatusOr<std::filesystem::path> LoadRollingCheckpoint(
    const std::filesystem::path& path, torch::nn::Module& model,
    torch::optim::Optimizer* optimizer, RunState* state);

/// A checkpoint as stored: model tensors by full name ("backbone.conv1.weight") and
/// the run state, with no model to fit them to.
struct CheckpointContents {
  std::map<std::string, at::Tensor> model;
  RunState state;
};

/// Reads what SaveCheckpoint wrote from the file's `bytes` (read whole by the
/// caller, who may digest exactly the bytes it loads); `path` names the file in
/// errors. The checksum is verified before anything is parsed (DataLoss when it
/// fails); bytes that are not a checkpoint are InvalidArgument.
STLAB_API absl::StatusOr<CheckpointContents> ReadCheckpoint(std::string_view bytes,
                                                            const std::filesystem::path& path);

/// What produced a checkpoint, kept in its RunState::text so that whoever starts
/// from the file can say where its weights came from.
struct Provenance {
  std::string method;         ///< "train", "student", "supervised", "simclr", ...
  std::string config_sha256;  ///< SHA-256 of the run folder's config.toml.
  std::string data;           ///< data.train in one line, or "none".
  std::string init;           ///< The Initializer::Origin() of the run's own start.
  std::string stlab_version;  ///< The stlab that wrote the file.
};

/// Stores `provenance` in `state.text` (keys "method", "config_sha256", "data",
/// "init", "stlab_version").
STLAB_API void StoreProvenance(const Provenance& provenance, RunState& state);

/// What StoreProvenance stored, in one line for reports: "simclr, 500000
/// iterations, config sha256:0123456789ab, data image_folder(...), stlab 0.1.0".
/// Keys that are absent are left out; a state with none of them (a checkpoint
/// written before stlab recorded provenance) gives "".
STLAB_API std::string DescribeProvenance(const RunState& state);

}  // namespace stlab

#endif  // STLAB_CORE_CHECKPOINT_H_
