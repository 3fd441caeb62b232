// The fixed set of component kinds and all-or-nothing adoption of a plugin's entries.
#include "registry/registries.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/did_you_mean.h"

namespace stlab {

Registries::Registries(std::string origin)
    : environment_{{}, std::move(origin)},
      backbones_("backbone", "images -> named multi-scale features", &environment_),
      necks_("neck", "multi-scale features -> multi-scale features (FPN and kin)", &environment_),
      detection_heads_("detection_head",
                       "features -> boxes, with anchors, matching, losses and NMS",
                       &environment_),
      segmentation_heads_("segmentation_head", "features -> per-pixel class logits and loss",
                          &environment_),
      augmentations_("augmentation", "image + boxes + mask -> transformed together",
                     &environment_),
      initializers_("initializer", "where a model's starting weights come from", &environment_),
      datasets_("dataset", "indexed samples with boxes and/or masks", &environment_),
      evaluators_("evaluator", "predictions vs ground truth -> metrics", &environment_),
      pseudo_labelers_("pseudo_labeler", "teacher predictions -> training labels",
                       &environment_),
      loss_combiners_("loss_combiner", "human + pseudo-label losses -> student loss",
                      &environment_),
      pretrain_methods_("pretrain_method",
                        "backbone -> pre-training head and loss (supervised, SimCLR, pretexts)",
                        &environment_) {}

template <typename Self>
auto Registries::AllOf(Self& self) {
  using Base = std::conditional_t<std::is_const_v<Self>, const RegistryBase, RegistryBase>;
  return std::vector<Base*>{&self.backbones_,       &self.necks_,          &self.detection_heads_,
                            &self.segmentation_heads_, &self.augmentations_, &self.initializers_,
                            &self.datasets_,        &self.evaluators_,     &self.pseudo_labelers_,
                            &self.loss_combiners_, &self.pretrain_methods_};
}

std::vector<const RegistryBase*> Registries::All() const { return AllOf(*this); }

const RegistryBase* Registries::FindKind(absl::string_view kind) const {
  for (const RegistryBase* r : All()) {
    if (r->kind() == kind) return r;
  }
  return nullptr;
}

std::vector<std::string> Registries::Kinds() const {
  std::vector<std::string> out;
  for (const RegistryBase* r : All()) out.push_back(r->kind());
  return out;
}

absl::StatusOr<std::pair<const RegistryBase*, const ComponentInfo*>> Registries::FindAnyKind(
    absl::string_view name) const {
  std::vector<std::string> all_names;
  for (const RegistryBase* r : All()) {
    if (r->Contains(name)) return std::make_pair(r, *r->Find(name));
    for (std::string& n : r->Names()) all_names.push_back(std::move(n));
  }
  return absl::NotFoundError(absl::StrCat(
      "no component named '", name, "'", DidYouMeanSuffix(name, all_names),
      "; registered: ", all_names.empty() ? "none" : absl::StrJoin(all_names, ", ")));
}

absl::Status Registries::Adopt(Registries& staged, PluginInfo plugin) {
  std::vector<RegistryBase*> mine = AllOf(*this);
  std::vector<RegistryBase*> theirs = AllOf(staged);
  for (size_t i = 0; i < mine.size(); ++i) {
    STLAB_RETURN_IF_ERROR(mine[i]->CheckMergeable(*theirs[i]));
  }
  for (size_t i = 0; i < mine.size(); ++i) mine[i]->MergeFrom(*theirs[i]);
  environment_.loaded_plugins.push_back(std::move(plugin));
  return absl::OkStatus();
}

}  // namespace stlab
