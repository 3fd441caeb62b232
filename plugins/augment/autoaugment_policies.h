// The learned detection policies (Zoph et al. 2019) and the RandAugment op list:
// the one table of which op runs with which probability and magnitude.
#ifndef STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_POLICIES_H_
#define STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_POLICIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plugins/augment/detection_ops.h"

namespace stlab::augment {

/// Ops applied in sequence, each with its probability and level.
using SubPolicy = std::vector<PolicyStep>;
/// A policy: one sub-policy is drawn uniformly per image.
using Policy = std::vector<SubPolicy>;

/// The policy versions in the table: "v0" (the paper's), "v1", "v2", "v3".
std::vector<std::string> PolicyVersions();

/// The policy `version`; the error lists the versions.
absl::StatusOr<Policy> DetectionPolicy(absl::string_view version);

/// The pixel constants the policies were searched with (translate 250, cutout 100,
/// translate_bbox 120, cutout_bbox 50; for 640-1024 px images).
PixelConstants AutoAugmentConstants();

/// RandAugment's ops for detection: the RandAugment paper's 16 (Cubuk et al. 2019;
/// the TF reference's list), with the geometric ones moving boxes (the _BBox ops).
const std::vector<Op>& RandAugmentOps();

/// RandAugment's pixel constants in the TF reference (translate 100, cutout 40;
/// the per-box ones unused).
PixelConstants RandAugmentConstants();

}  // namespace stlab::augment

#endif  // STLAB_PLUGINS_AUGMENT_AUTOAUGMENT_POLICIES_H_
