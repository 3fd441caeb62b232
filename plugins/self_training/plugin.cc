// The self_training plugin: loss combiners and pseudo-labelers.
#include <memory>

#include "plugins/self_training/loss_combiners.h"
#include "plugins/self_training/threshold_pseudo_labeler.h"
#include "registry/plugin_api.h"

namespace stlab::self_training {
namespace {

ParamSpec Alpha() {
  return ParamSpec::Float("alpha", 1.0, "weight of the pseudo-label loss").Min(0.0);
}

absl::Status Register(Registries& r) {
  STLAB_RETURN_IF_ERROR(r.loss_combiners().Add(
      {"sum", "L = L_h + alpha * L_p", {Alpha()}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<LossCombiner>> {
        return std::make_shared<SumCombiner>(p.GetFloat("alpha"));
      }));
  STLAB_RETURN_IF_ERROR(r.loss_combiners().Add(
      {"loss_normalization",
       "L = L_h + alpha * (mean_h / mean_p) * L_p with running means (Zoph et al. 2020)",
       {Alpha(),
        ParamSpec::Float("decay", 0.99,
                         "running-average decay: mean <- decay * mean + (1 - decay) * loss; the "
                         "paper leaves it open")
            .Range(0.0, 1.0),
        ParamSpec::Float("epsilon", 1e-8, "added to mean_p to avoid dividing by zero").Min(0.0)}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<LossCombiner>> {
        return std::make_shared<LossNormalizationCombiner>(p.GetFloat("alpha"), p.GetFloat("decay"),
                                                           p.GetFloat("epsilon"));
      }));
  STLAB_RETURN_IF_ERROR(r.pseudo_labelers().Add(
      {"detection_threshold",
       "Keeps teacher boxes scoring at least the threshold (hard labels, or soft ones)",
       {ParamSpec::Float("threshold", 0.5, "minimum detection score kept").Range(0.0, 1.0),
        ParamSpec::Bool("keep_empty", true,
                        "keep images left without boxes (as all background) instead of dropping "
                        "them"),
        ParamSpec::Bool("soft", false,
                        "soft labels: a kept box's class target is the teacher's score (focal "
                        "loss with |target - p|^gamma modulation) instead of 1"),
        ParamSpec::Float("ignore_threshold", 1.0,
                         "boxes scoring in [ignore_threshold, threshold) become ignore regions "
                         "(neither object nor background for the student); >= threshold: none")
            .Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<PseudoLabeler>> {
        return std::make_shared<DetectionThresholdLabeler>(
            p.GetFloat("threshold"), p.GetBool("keep_empty"), p.GetBool("soft"),
            p.GetFloat("ignore_threshold"));
      }));
  return r.pseudo_labelers().Add(
      {"segmentation_threshold",
       "Per-pixel argmax where the top probability reaches the threshold, ignore elsewhere "
       "(hard labels, or the teacher's probabilities as soft ones)",
       {ParamSpec::Float("threshold", 0.5, "minimum top-class probability labeled")
            .Range(0.0, 1.0),
        ParamSpec::Bool("soft", false,
                        "soft labels: labeled pixels' targets are the teacher's class "
                        "probabilities (cross-entropy against them, stored in 1/255 steps)")}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<PseudoLabeler>> {
        return std::make_shared<SegmentationThresholdLabeler>(p.GetFloat("threshold"),
                                                              p.GetBool("soft"));
      });
}

}  // namespace
}  // namespace stlab::self_training

STLAB_PLUGIN("self_training", "0.1.0", stlab::self_training::Register)
