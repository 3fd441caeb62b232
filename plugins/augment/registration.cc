// The augment plugin's declarations and factories. Defaults come from the options
// structs, so each lives in one place.
#include "plugins/augment/registration.h"

#include <memory>
#include <string>
#include <vector>

#include "core/augmentation.h"
#include "core/status.h"
#include "plugins/augment/autoaugment.h"
#include "plugins/augment/autoaugment_policies.h"
#include "plugins/augment/color_jitter.h"
#include "plugins/augment/horizontal_flip.h"
#include "plugins/augment/randaugment.h"
#include "plugins/augment/random_scale_crop.h"
#include "plugins/augment/resize.h"

namespace stlab::augment {
namespace {

using AugmentationOr = absl::StatusOr<std::shared_ptr<Augmentation>>;

std::vector<int64_t> ToInts(const Rgb& rgb) { return {rgb[0], rgb[1], rgb[2]}; }

Rgb ToRgb(const std::vector<int64_t>& values) {  // Declared: 3 values in [0, 255].
  return {static_cast<uint8_t>(values[0]), static_cast<uint8_t>(values[1]),
          static_cast<uint8_t>(values[2])};
}

absl::Status RegisterHorizontalFlip(Registries& r) {
  return r.augmentations().Add(
      {"horizontal_flip",
       "Mirrors image, boxes and mask left-right",
       {ParamSpec::Float("probability", 0.5, "chance that a sample is flipped").Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        return std::make_shared<HorizontalFlip>(p.GetFloat("probability"));
      });
}

absl::Status RegisterResize(Registries& r) {
  const ResizeOptions d;
  return r.augmentations().Add(
      {"resize",
       "Resizes image (bilinear), mask (nearest) and boxes so that one side is `size` pixels, "
       "keeping the aspect ratio",
       {ParamSpec::Int("size", d.size, "target length of the side chosen by mode, in pixels")
            .Min(1),
        ParamSpec::String("mode", "longer_side",
                          "longer_side: the longer side becomes size (EfficientDet); "
                          "shorter_side: the shorter one does (Detectron2's ResizeShortestEdge)")
            .OneOf({"longer_side", "shorter_side"}),
        ParamSpec::Int("max_size", d.max_size,
                       "mode shorter_side only: cap on the longer side, 0 for none")
            .Min(0)}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        ResizeOptions o;
        o.size = p.GetInt("size");
        o.mode = p.GetString("mode") == "shorter_side" ? ResizeMode::kShorterSide
                                                       : ResizeMode::kLongerSide;
        o.max_size = p.GetInt("max_size");
        STLAB_RETURN_IF_ERROR(Validate(o));
        return std::make_shared<Resize>(o);
      });
}

absl::Status RegisterRandomScaleCrop(Registries& r) {
  const RandomScaleCropOptions d;
  return r.augmentations().Add(
      {"random_scale_crop",
       "Scale jittering: rescales so the longer side is s * size, s uniform in "
       "[scale_min, scale_max], then crops or pads to size x size (Large-Scale Jittering "
       "with [0.1, 2.0])",
       {ParamSpec::Int("size", d.size, "the output is size x size pixels").Min(1),
        ParamSpec::Float("scale_min", d.scale_min, "smallest scale factor s").Min(0.01),
        ParamSpec::Float("scale_max", d.scale_max, "largest scale factor s (>= scale_min)")
            .Min(0.01),
        ParamSpec::String("placement", "top_left",
                          "where a scaled image smaller than the canvas goes: top_left (pad "
                          "bottom and right, as EfficientDet) or random")
            .OneOf({"top_left", "random"}),
        ParamSpec::IntList("fill", ToInts(d.fill),
                           "RGB of padded pixels; the default, the mean pixel, is 0 after "
                           "normalization like the batch padding")
            .Length(3)
            .Range(0, 255),
        ParamSpec::Float("min_visible_fraction", d.min_visible_fraction,
                         "drop boxes keeping less of their area than this after the crop")
            .Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        RandomScaleCropOptions o;
        o.size = p.GetInt("size");
        o.scale_min = p.GetFloat("scale_min");
        o.scale_max = p.GetFloat("scale_max");
        o.placement =
            p.GetString("placement") == "random" ? Placement::kRandom : Placement::kTopLeft;
        o.fill = ToRgb(p.GetIntList("fill"));
        o.min_visible_fraction = p.GetFloat("min_visible_fraction");
        STLAB_RETURN_IF_ERROR(Validate(o));
        return std::make_shared<RandomScaleCrop>(o);
      });
}

absl::Status RegisterColorJitter(Registries& r) {
  const ColorJitterOptions d;
  return r.augmentations().Add(
      {"color_jitter",
       "Random brightness, contrast, saturation and hue in a random order, as torchvision's "
       "ColorJitter (image only)",
       {ParamSpec::Float("brightness", d.brightness,
                         "brightness factor uniform in [max(0, 1 - b), 1 + b]; 0 disables")
            .Min(0.0),
        ParamSpec::Float("contrast", d.contrast,
                         "contrast factor uniform in [max(0, 1 - c), 1 + c]; 0 disables")
            .Min(0.0),
        ParamSpec::Float("saturation", d.saturation,
                         "saturation factor uniform in [max(0, 1 - s), 1 + s]; 0 disables")
            .Min(0.0),
        ParamSpec::Float("hue", d.hue, "hue shift uniform in [-h, h] turns; 0 disables")
            .Range(0.0, 0.5),
        ParamSpec::Float("probability", d.probability, "chance that a sample is jittered")
            .Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        ColorJitterOptions o;
        o.brightness = p.GetFloat("brightness");
        o.contrast = p.GetFloat("contrast");
        o.saturation = p.GetFloat("saturation");
        o.hue = p.GetFloat("hue");
        o.probability = p.GetFloat("probability");
        STLAB_RETURN_IF_ERROR(Validate(o));
        return std::make_shared<ColorJitter>(o);
      });
}

ParamSpec PixelScale() {
  return ParamSpec::Float("pixel_scale", 1.0,
                          "factor on the ops' pixel lengths (translate, cutout), which assume "
                          "640-1024 px images; e.g. 0.2 for 128 px")
      .Range(0.01, 100.0);
}

absl::Status RegisterAutoAugment(Registries& r) {
  return r.augmentations().Add(
      {"autoaugment",
       "AutoAugment for detection (Zoph et al. 2019): one sub-policy of a learned policy per "
       "image; its ops move boxes and mask with the pixels",
       {ParamSpec::String("policy", "v0",
                          "learned policy: v0 (the paper's), v1, v2 or v3 of the TF reference")
            .OneOf(PolicyVersions()),
        PixelScale()}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        STLAB_ASSIGN_OR_RETURN(Policy policy, DetectionPolicy(p.GetString("policy")));
        return std::make_shared<AutoAugment>(
            std::move(policy), AutoAugmentConstants().Scaled(p.GetFloat("pixel_scale")));
      });
}

absl::Status RegisterRandAugment(Registries& r) {
  const RandAugmentOptions d;
  return r.augmentations().Add(
      {"randaugment",
       "RandAugment for detection: num_ops ops drawn uniformly from 16 (colour, cutout, "
       "rotate/shear/translate moving boxes and mask), all at one magnitude",
       {ParamSpec::Int("num_ops", d.num_ops, "N: ops drawn per image, with replacement")
            .Range(0, 10),
        ParamSpec::Float("magnitude", d.magnitude,
                         "M: the level of every op, 10 = rotate 30 degrees, shear 0.3, "
                         "translate 100 px")
            .Range(0.0, kMaxLevel),
        ParamSpec::Float("probability", d.probability, "chance that each drawn op runs")
            .Range(0.0, 1.0),
        PixelScale()}},
      [](const Params& p, const NoContext&) -> AugmentationOr {
        RandAugmentOptions o;
        o.num_ops = p.GetInt("num_ops");
        o.magnitude = p.GetFloat("magnitude");
        o.probability = p.GetFloat("probability");
        o.constants = RandAugmentConstants().Scaled(p.GetFloat("pixel_scale"));
        STLAB_RETURN_IF_ERROR(Validate(o));
        return std::make_shared<RandAugment>(o);
      });
}

}  // namespace

absl::Status RegisterAugmentations(Registries& registries) {
  STLAB_RETURN_IF_ERROR(RegisterHorizontalFlip(registries));
  STLAB_RETURN_IF_ERROR(RegisterResize(registries));
  STLAB_RETURN_IF_ERROR(RegisterRandomScaleCrop(registries));
  STLAB_RETURN_IF_ERROR(RegisterColorJitter(registries));
  STLAB_RETURN_IF_ERROR(RegisterAutoAugment(registries));
  return RegisterRandAugment(registries);
}

}  // namespace stlab::augment
