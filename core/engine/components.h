// Building a validated config's datasets, augmentations and evaluator through the
// registries (the model: task_model.h), shared by training, evaluation and tools.
#ifndef STLAB_CORE_ENGINE_COMPONENTS_H_
#define STLAB_CORE_ENGINE_COMPONENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/augmentation.h"
#include "core/config/validated_config.h"
#include "core/dataset.h"
#include "core/evaluator.h"
#include "core/export.h"
#include "registry/registries.h"

namespace stlab {

/// Sets LibTorch's intra-op threads to train.num_threads when it is set (> 0); every
/// command that computes (training, pre-training, evaluation, pseudo-labeling) calls
/// it first, so that one config key governs them all.
STLAB_API void UseConfiguredThreads(const ValidatedConfig& config);

/// The dataset in slot `slot_path` ("data.train"), or nullptr when the slot is
/// empty; relative paths resolve against the folder of the file that set it.
STLAB_API absl::StatusOr<std::shared_ptr<const Dataset>> BuildDataset(
    const ValidatedConfig& config, const Registries& registries, const std::string& slot_path,
    uint64_t seed);

/// The indices of `data.train`'s human-labeled images (`train_size` of them in
/// all): the nested subset of `data.train_fraction` drawn with `data.subset_seed`.
STLAB_API absl::StatusOr<std::vector<int64_t>> LabeledIndices(const ValidatedConfig& config,
                                                              int64_t train_size);

/// The operations of `augment.pipeline`, in order.
STLAB_API absl::StatusOr<std::vector<std::shared_ptr<const Augmentation>>> BuildAugmentations(
    const ValidatedConfig& config, const Registries& registries);

/// A fresh evaluator of `eval.evaluator` for a dataset described by `info`.
STLAB_API absl::StatusOr<std::shared_ptr<Evaluator>> BuildEvaluator(const ValidatedConfig& config,
                                                                    const Registries& registries,
                                                                    const DatasetInfo& info);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_COMPONENTS_H_
