// "Did you mean" suggestions for misspelled names and keys.
#ifndef STLAB_CORE_DID_YOU_MEAN_H_
#define STLAB_CORE_DID_YOU_MEAN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/export.h"

namespace stlab {

/// Case-insensitive Levenshtein distance.
STLAB_API size_t EditDistance(absl::string_view a, absl::string_view b);

/// The candidate closest to `name` if it is close enough to be a plausible typo
/// (distance <= max(2, |name| / 3)), else nullopt. Ties go to the first candidate.
STLAB_API std::optional<std::string> ClosestMatch(absl::string_view name,
                                                  const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "".
STLAB_API std::string DidYouMeanSuffix(absl::string_view name,
                                       const std::vector<std::string>& candidates);

}  // namespace stlab

#endif  // STLAB_CORE_DID_YOU_MEAN_H_
