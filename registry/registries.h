// The set of typed registries, one per core interface: what a host (the CLI, a test)
// holds and what plugins register into.
#ifndef STLAB_REGISTRY_REGISTRIES_H_
#define STLAB_REGISTRY_REGISTRIES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/export.h"
#include "registry/registry.h"

namespace stlab {

// The interfaces are only declared here, so that code which lists or validates
// components does not compile LibTorch's headers; code that builds or implements
// a component includes the interface's own header.
class Augmentation;
class Backbone;
class Dataset;
class DetectionHead;
class Evaluator;
class Initializer;
class LossCombiner;
class Neck;
class PretrainMethod;
class PseudoLabeler;
class SegmentationHead;
struct DatasetContext;
struct DatasetInfo;
struct HeadContext;
struct NeckContext;
struct PretrainContext;

/// One registry per interface. Not thread-safe while plugins load; lookups and
/// Create() are safe to call concurrently afterwards.
class STLAB_API Registries {
 public:
  /// `origin` is stamped on components registered without one.
  explicit Registries(std::string origin = "built-in");
  Registries(const Registries&) = delete;
  Registries& operator=(const Registries&) = delete;

  Registry<Backbone>& backbones() { return backbones_; }
  Registry<Neck, NeckContext>& necks() { return necks_; }
  Registry<DetectionHead, HeadContext>& detection_heads() { return detection_heads_; }
  Registry<SegmentationHead, HeadContext>& segmentation_heads() { return segmentation_heads_; }
  Registry<Augmentation>& augmentations() { return augmentations_; }
  Registry<Initializer>& initializers() { return initializers_; }
  Registry<Dataset, DatasetContext>& datasets() { return datasets_; }
  Registry<Evaluator, DatasetInfo>& evaluators() { return evaluators_; }
  Registry<PseudoLabeler>& pseudo_labelers() { return pseudo_labelers_; }
  Registry<LossCombiner>& loss_combiners() { return loss_combiners_; }
  Registry<PretrainMethod, PretrainContext>& pretrain_methods() { return pretrain_methods_; }

  const Registry<Backbone>& backbones() const { return backbones_; }
  const Registry<Neck, NeckContext>& necks() const { return necks_; }
  const Registry<DetectionHead, HeadContext>& detection_heads() const { return detection_heads_; }
  const Registry<SegmentationHead, HeadContext>& segmentation_heads() const {
    return segmentation_heads_;
  }
  const Registry<Augmentation>& augmentations() const { return augmentations_; }
  const Registry<Initializer>& initializers() const { return initializers_; }
  const Registry<Dataset, DatasetContext>& datasets() const { return datasets_; }
  const Registry<Evaluator, DatasetInfo>& evaluators() const { return evaluators_; }
  const Registry<PseudoLabeler>& pseudo_labelers() const { return pseudo_labelers_; }
  const Registry<LossCombiner>& loss_combiners() const { return loss_combiners_; }
  const Registry<PretrainMethod, PretrainContext>& pretrain_methods() const {
    return pretrain_methods_;
  }

  /// Every registry, in a fixed order (for listings).
  std::vector<const RegistryBase*> All() const;
  /// The registry whose kind() is `kind`, or nullptr.
  const RegistryBase* FindKind(absl::string_view kind) const;
  /// Kind names, in the order of All().
  std::vector<std::string> Kinds() const;

  /// The component named `name` in any kind, with its kind; for `plugins show`.
  /// An unknown name lists the closest registered one.
  absl::StatusOr<std::pair<const RegistryBase*, const ComponentInfo*>> FindAnyKind(
      absl::string_view name) const;

  /// Moves everything registered in `staged` into this set and records `plugin`
  /// as loaded. All or nothing: a name already taken leaves this set unchanged.
  absl::Status Adopt(Registries& staged, PluginInfo plugin);

  const std::vector<PluginInfo>& loaded_plugins() const { return environment_.loaded_plugins; }

 private:
  // Every registry of `self`, const or not, in the order of All().
  template <typename Self>
  static auto AllOf(Self& self);

  RegistryEnvironment environment_;
  Registry<Backbone> backbones_;
  Registry<Neck, NeckContext> necks_;
  Registry<DetectionHead, HeadContext> detection_heads_;
  Registry<SegmentationHead, HeadContext> segmentation_heads_;
  Registry<Augmentation> augmentations_;
  Registry<Initializer> initializers_;
  Registry<Dataset, DatasetContext> datasets_;
  Registry<Evaluator, DatasetInfo> evaluators_;
  Registry<PseudoLabeler> pseudo_labelers_;
  Registry<LossCombiner> loss_combiners_;
  // NOTE: added last, so that plugins built before it (API v3) see the members
  // above at their offsets; a new kind goes after it.
  Registry<PretrainMethod, PretrainContext> pretrain_methods_;
};

}  // namespace stlab

#endif  // STLAB_REGISTRY_REGISTRIES_H_
