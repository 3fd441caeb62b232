// Component building from configs.
#include "core/engine/components.h"

#include "ATen/Parallel.h"
#include "absl/strings/str_cat.h"
#include "core/data/subset.h"
#include "core/status.h"

namespace stlab {

void UseConfiguredThreads(const ValidatedConfig& config) {
  if (const int64_t threads = config.Section("train").GetInt("num_threads"); threads > 0) {
    at::set_num_threads(static_cast<int>(threads));
  }
}

absl::StatusOr<std::shared_ptr<const Dataset>> BuildDataset(const ValidatedConfig& config,
                                                            const Registries& registries,
                                                            const std::string& slot_path,
                                                            uint64_t seed) {
  const ComponentConfig* component = config.Component(slot_path);
  if (component == nullptr) return std::shared_ptr<const Dataset>();
  absl::StatusOr<std::shared_ptr<Dataset>> dataset = registries.datasets().Create(
      component->type, component->values, DatasetContext{component->base_dir, seed});
  if (!dataset.ok()) return Annotate(dataset.status(), slot_path);
  return std::shared_ptr<const Dataset>(*std::move(dataset));
}

absl::StatusOr<std::vector<int64_t>> LabeledIndices(const ValidatedConfig& config,
                                                    int64_t train_size) {
  const Params& data = config.Section("data");
  return NestedSubset(train_size, data.GetFloat("train_fraction"),
                      static_cast<uint64_t>(data.GetInt("subset_seed")));
}

absl::StatusOr<std::vector<std::shared_ptr<const Augmentation>>> BuildAugmentations(
    const ValidatedConfig& config, const Registries& registries) {
  std::vector<std::shared_ptr<const Augmentation>> pipeline;
  for (const ComponentConfig* component : config.Components("augment.pipeline")) {
    absl::StatusOr<std::shared_ptr<Augmentation>> op =
        registries.augmentations().Create(component->type, component->values);
    if (!op.ok()) return Annotate(op.status(), component->key_path);
    pipeline.push_back(*std::move(op));
  }
  return pipeline;
}

absl::StatusOr<std::shared_ptr<Evaluator>> BuildEvaluator(const ValidatedConfig& config,
                                                          const Registries& registries,
                                                          const DatasetInfo& info) {
  const ComponentConfig* component = config.Component("eval.evaluator");
  if (component == nullptr) {
    return absl::InvalidArgumentError("the config has no [eval.evaluator]");
  }
  absl::StatusOr<std::shared_ptr<Evaluator>> evaluator =
      registries.evaluators().Create(component->type, component->values, info);
  if (!evaluator.ok()) return Annotate(evaluator.status(), "eval.evaluator");
  return evaluator;
}

}  // namespace stlab
