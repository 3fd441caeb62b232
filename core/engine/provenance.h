// What produced a checkpoint: recorded in every checkpoint stlab writes (a run's
// checkpoint.pt and model_final.pt, a pre-training run's backbone.pt), read back by
// whoever starts from that file, so that a run's report can say where its
// initialization came from.
#ifndef STLAB_CORE_ENGINE_PROVENANCE_H_
#define STLAB_CORE_ENGINE_PROVENANCE_H_

#include <string>

#include "core/config/validated_config.h"
#include "core/checkpoint.h"
#include "core/export.h"

namespace stlab {

/// A component in one line, its parameters in name order:
/// `image_folder(labels="subfolder", recursive=true, root="data/imagenet/train")`.
STLAB_API std::string ComponentText(const ComponentConfig& component);

/// Records in `state.text` (StoreProvenance; DescribeProvenance reads it back) what
/// produces the checkpoint about to be saved:
///   - "method": `method` ("train", "student", "supervised", "simclr");
///   - "config_sha256": SHA-256 (64 hex digits) of config.ToToml(), the text of the
///     run folder's config.toml;
///   - "data": ComponentText of data.train ("none" when unset);
///   - "init": `init_origin`, the Initializer::Origin() of the run's own start;
///   - "stlab_version": the version of stlab that writes the file.
/// The iterations that produced it are RunState::iteration.
STLAB_API void RecordProvenance(const ValidatedConfig& config, const std::string& method,
                                const std::string& init_origin, RunState& state);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PROVENANCE_H_
