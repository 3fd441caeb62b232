// The policy table. Each row is a sub-policy of (op, probability, level) steps,
// transcribed from the TF reference's policy_v0 .. policy_v3
// (tensorflow/tpu models/official/detection/utils/autoaugment_utils.py); level is
// in [0, 10] and maps to the op's argument as detection_ops.h describes. Op names
// are the reference's and are resolved once, when a policy is first asked for.
#include "plugins/augment/autoaugment_policies.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status.h"

namespace stlab::augment {
namespace {

struct NamedStep {
  const char* op;
  double probability;
  double level;
};
using NamedSubPolicy = std::vector<NamedStep>;

struct NamedPolicy {
  const char* version;
  std::vector<NamedSubPolicy> sub_policies;
};

const std::vector<NamedPolicy>& Table() {
  static const std::vector<NamedPolicy>* const table = new std::vector<NamedPolicy>{
      // The policy of the paper's results (best on COCO).
      {"v0",
       {{{"TranslateX_BBox", 0.6, 4}, {"Equalize", 0.8, 10}},
        {{"TranslateY_Only_BBoxes", 0.2, 2}, {"Cutout", 0.8, 8}},
        {{"Sharpness", 0.0, 8}, {"ShearX_BBox", 0.4, 0}},
        {{"ShearY_BBox", 1.0, 2}, {"TranslateY_Only_BBoxes", 0.6, 6}},
        {{"Rotate_BBox", 0.6, 10}, {"Color", 1.0, 6}}}},
      // v0 and 15 more sub-policies.
      {"v1",
       {{{"TranslateX_BBox", 0.6, 4}, {"Equalize", 0.8, 10}},
        {{"TranslateY_Only_BBoxes", 0.2, 2}, {"Cutout", 0.8, 8}},
        {{"Sharpness", 0.0, 8}, {"ShearX_BBox", 0.4, 0}},
        {{"ShearY_BBox", 1.0, 2}, {"TranslateY_Only_BBoxes", 0.6, 6}},
        {{"Rotate_BBox", 0.6, 10}, {"Color", 1.0, 6}},
        {{"Color", 0.0, 0}, {"ShearX_Only_BBoxes", 0.8, 4}},
        {{"ShearY_Only_BBoxes", 0.8, 2}, {"Flip_Only_BBoxes", 0.0, 10}},
        {{"Equalize", 0.6, 10}, {"TranslateX_BBox", 0.2, 2}},
        {{"Color", 1.0, 10}, {"TranslateY_Only_BBoxes", 0.4, 6}},
        {{"Rotate_BBox", 0.8, 10}, {"Contrast", 0.0, 10}},
        {{"Cutout", 0.2, 2}, {"Brightness", 0.8, 10}},
        {{"Color", 1.0, 6}, {"Equalize", 1.0, 2}},
        {{"Cutout_Only_BBoxes", 0.4, 6}, {"TranslateY_Only_BBoxes", 0.8, 2}},
        {{"Color", 0.2, 8}, {"Rotate_BBox", 0.8, 10}},
        {{"Sharpness", 0.4, 4}, {"TranslateY_Only_BBoxes", 0.0, 4}},
        {{"Sharpness", 1.0, 4}, {"SolarizeAdd", 0.4, 4}},
        {{"Rotate_BBox", 1.0, 8}, {"Sharpness", 0.2, 8}},
        {{"ShearY_BBox", 0.6, 10}, {"Equalize_Only_BBoxes", 0.6, 8}},
        {{"ShearX_BBox", 0.2, 6}, {"TranslateY_Only_BBoxes", 0.2, 10}},
        {{"SolarizeAdd", 0.6, 8}, {"Brightness", 0.8, 10}}}},
      // Three ops per sub-policy.
      {"v2",
       {{{"Color", 0.0, 6}, {"Cutout", 0.6, 8}, {"Sharpness", 0.4, 8}},
        {{"Rotate_BBox", 0.4, 8}, {"Sharpness", 0.4, 2}, {"Rotate_BBox", 0.8, 10}},
        {{"TranslateY_BBox", 1.0, 8}, {"AutoContrast", 0.8, 2}},
        {{"AutoContrast", 0.4, 6}, {"ShearX_BBox", 0.8, 8}, {"Brightness", 0.0, 10}},
        {{"SolarizeAdd", 0.2, 6}, {"Contrast", 0.0, 10}, {"AutoContrast", 0.6, 0}},
        {{"Cutout", 0.2, 0}, {"Solarize", 0.8, 8}, {"Color", 1.0, 4}},
        {{"TranslateY_BBox", 0.0, 4}, {"Equalize", 0.6, 8}, {"Solarize", 0.0, 10}},
        {{"TranslateY_BBox", 0.2, 2}, {"ShearY_BBox", 0.8, 8}, {"Rotate_BBox", 0.8, 8}},
        {{"Cutout", 0.8, 8}, {"Brightness", 0.8, 8}, {"Cutout", 0.2, 2}},
        {{"Color", 0.8, 4}, {"TranslateY_BBox", 1.0, 6}, {"Rotate_BBox", 0.6, 6}},
        {{"Rotate_BBox", 0.6, 10}, {"BBox_Cutout", 1.0, 4}, {"Cutout", 0.2, 8}},
        {{"Rotate_BBox", 0.0, 0}, {"Equalize", 0.6, 6}, {"ShearY_BBox", 0.6, 8}},
        {{"Brightness", 0.8, 8}, {"AutoContrast", 0.4, 2}, {"Brightness", 0.2, 2}},
        {{"TranslateY_BBox", 0.4, 8}, {"Solarize", 0.4, 6}, {"SolarizeAdd", 0.2, 10}},
        {{"Contrast", 1.0, 10}, {"SolarizeAdd", 0.2, 8}, {"Equalize", 0.2, 4}}}},
      {"v3",
       {{{"Posterize", 0.8, 2}, {"TranslateX_BBox", 1.0, 8}},
        {{"BBox_Cutout", 0.2, 10}, {"Sharpness", 1.0, 8}},
        {{"Rotate_BBox", 0.6, 8}, {"Rotate_BBox", 0.8, 10}},
        {{"Equalize", 0.8, 10}, {"AutoContrast", 0.2, 10}},
        {{"SolarizeAdd", 0.2, 2}, {"TranslateY_BBox", 0.2, 8}},
        {{"Sharpness", 0.0, 2}, {"Color", 0.4, 8}},
        {{"Equalize", 1.0, 8}, {"TranslateY_BBox", 1.0, 8}},
        {{"Posterize", 0.6, 2}, {"Rotate_BBox", 0.0, 10}},
        {{"AutoContrast", 0.6, 0}, {"Rotate_BBox", 1.0, 6}},
        {{"Equalize", 0.0, 4}, {"Cutout", 0.8, 10}},
        {{"Brightness", 1.0, 2}, {"TranslateY_BBox", 1.0, 6}},
        {{"Contrast", 0.0, 2}, {"ShearY_BBox", 0.8, 0}},
        {{"AutoContrast", 0.8, 10}, {"Contrast", 0.2, 10}},
        {{"Rotate_BBox", 1.0, 10}, {"Cutout", 1.0, 10}},
        {{"SolarizeAdd", 0.8, 6}, {"Equalize", 0.8, 8}}}},
  };
  return *table;
}

}  // namespace

std::vector<std::string> PolicyVersions() {
  std::vector<std::string> versions;
  for (const NamedPolicy& p : Table()) versions.push_back(p.version);
  return versions;
}

absl::StatusOr<Policy> DetectionPolicy(absl::string_view version) {
  for (const NamedPolicy& named : Table()) {
    if (version != named.version) continue;
    Policy policy;
    for (const NamedSubPolicy& sub : named.sub_policies) {
      SubPolicy steps;
      for (const NamedStep& step : sub) {
        STLAB_ASSIGN_OR_RETURN(const Op op, OpFromName(step.op));
        steps.push_back({op, step.probability, step.level});
      }
      policy.push_back(std::move(steps));
    }
    return policy;
  }
  return absl::NotFoundError(absl::StrCat("unknown AutoAugment policy '", version,
                                          "'; known: ", absl::StrJoin(PolicyVersions(), ", ")));
}

PixelConstants AutoAugmentConstants() {
  return {.translate = 250, .cutout = 100, .translate_bbox = 120, .cutout_bbox = 50};
}

const std::vector<Op>& RandAugmentOps() {
  static const std::vector<Op>* const ops = new std::vector<Op>{
      Op::kAutoContrast,   Op::kEqualize,       Op::kInvert,     Op::kRotateBBox,
      Op::kPosterize,      Op::kSolarize,       Op::kColor,      Op::kContrast,
      Op::kBrightness,     Op::kSharpness,      Op::kShearXBBox, Op::kShearYBBox,
      Op::kTranslateXBBox, Op::kTranslateYBBox, Op::kCutout,     Op::kSolarizeAdd};
  return *ops;
}

PixelConstants RandAugmentConstants() {
  return {.translate = 100, .cutout = 40, .translate_bbox = 0, .cutout_bbox = 0};
}

}  // namespace stlab::augment
