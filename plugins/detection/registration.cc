// Parameter declarations and factory of detection head "retinanet".
#include "plugins/detection/registration.h"

#include <memory>

#include "core/status.h"
#include "plugins/detection/retinanet_head.h"
#include "registry/param.h"

namespace stlab::detection {

absl::Status RegisterDetection(Registries& registries) {
  return registries.detection_heads().Add(
      {"retinanet",
       "RetinaNet head: shared class and box towers over the pyramid, anchors, focal loss, "
       "per-class NMS",
       {ParamSpec::Int("num_convs", 4, "3x3 conv + ReLU layers per tower").Min(0),
        ParamSpec::String("norm", "none", "tower normalization").OneOf({"none", "group_norm"}),
        ParamSpec::Float("anchor_size", 4.0, "anchor side at octave scale 1, in strides").Above(0.0),
        ParamSpec::Int("scales_per_octave", 3, "anchor scales 2^(i/n), i < n").Min(1),
        ParamSpec::FloatList("aspect_ratios", {0.5, 1.0, 2.0}, "anchor height / width ratios"),
        ParamSpec::Float("positive_iou", 0.5, "anchors with IoU >= this are positives")
            .Range(0.0, 1.0),
        ParamSpec::Float("negative_iou", 0.4, "anchors with IoU < this are background")
            .Range(0.0, 1.0),
        ParamSpec::Bool("allow_low_quality_matches", true,
                        "each box also claims its highest-IoU anchors"),
        ParamSpec::Float("ignore_ioa", 0.5,
                         "background anchors this much inside a crowd/ignore box are ignored")
            .Range(0.0, 1.0),
        ParamSpec::Float("focal_alpha", 0.25, "focal loss alpha (negative: no alpha weighting)"),
        ParamSpec::Float("focal_gamma", 2.0, "focal loss gamma").Min(0.0),
        ParamSpec::String("box_loss", "smooth_l1",
                          "smooth_l1 on encoded deltas, or giou on decoded boxes")
            .OneOf({"smooth_l1", "giou"}),
        ParamSpec::Float("smooth_l1_beta", 0.1, "smooth-L1 transition (0 = L1)").Min(0.0),
        ParamSpec::Float("box_loss_weight", 1.0, "weight of the box loss").Min(0.0),
        ParamSpec::Float("prior_probability", 0.01, "initial foreground probability")
            .Range(0.0, 1.0),
        ParamSpec::Float("score_threshold", 0.05, "inference: minimum detection score")
            .Range(0.0, 1.0),
        ParamSpec::Int("topk_candidates", 1000, "inference: candidates per level before NMS")
            .Min(1),
        ParamSpec::Float("nms_threshold", 0.5, "inference: per-class NMS IoU threshold")
            .Range(0.0, 1.0),
        ParamSpec::Int("max_detections", 100, "inference: detections kept per image").Min(1)}},
      [](const Params& p,
         const HeadContext& context) -> absl::StatusOr<std::shared_ptr<DetectionHead>> {
        MatcherOptions matcher;
        matcher.positive_iou = p.GetFloat("positive_iou");
        matcher.negative_iou = p.GetFloat("negative_iou");
        matcher.allow_low_quality_matches = p.GetBool("allow_low_quality_matches");
        matcher.ignore_ioa = p.GetFloat("ignore_ioa");
        RetinaNetHeadOptions options =
            RetinaNetHeadOptions(context.inputs, context.num_classes)
                .num_convs(p.GetInt("num_convs"))
                .norm(p.GetString("norm"))
                .anchor_size(p.GetFloat("anchor_size"))
                .scales_per_octave(p.GetInt("scales_per_octave"))
                .aspect_ratios(p.GetFloatList("aspect_ratios"))
                .matcher(matcher)
                .focal_alpha(p.GetFloat("focal_alpha"))
                .focal_gamma(p.GetFloat("focal_gamma"))
                .box_loss(p.GetString("box_loss"))
                .smooth_l1_beta(p.GetFloat("smooth_l1_beta"))
                .box_loss_weight(p.GetFloat("box_loss_weight"))
                .prior_probability(p.GetFloat("prior_probability"))
                .score_threshold(p.GetFloat("score_threshold"))
                .topk_candidates(p.GetInt("topk_candidates"))
                .nms_threshold(p.GetFloat("nms_threshold"))
                .max_detections(p.GetInt("max_detections"));
        STLAB_RETURN_IF_ERROR(CheckRetinaNetHeadOptions(options));
        return std::shared_ptr<DetectionHead>(RetinaNetHead(std::move(options)).ptr());
      });
}

}  // namespace stlab::detection
