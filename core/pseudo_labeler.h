// PseudoLabeler interface: turns a teacher's prediction into training labels.
#ifndef STLAB_CORE_PSEUDO_LABELER_H_
#define STLAB_CORE_PSEUDO_LABELER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Hard or soft pseudo labels from a teacher (thresholding, test-time augmentation
/// merging, ...).
class STLAB_API PseudoLabeler {
 public:
  virtual ~PseudoLabeler() = default;

  /// Returns `image` with boxes/labels and/or mask set from `teacher` and
  /// `pseudo_labeled` = true, or std::nullopt when the image is to be dropped
  /// (e.g. no box survives and the labeler is set to drop such images).
  virtual absl::StatusOr<std::optional<Sample>> Label(const Sample& image,
                                                      const Prediction& teacher) const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_PSEUDO_LABELER_H_
