// Named loss terms, so that logs and non-finite-loss errors can say which term.
#ifndef STLAB_CORE_LOSSES_H_
#define STLAB_CORE_LOSSES_H_

#include <map>
#include <string>

#include "ATen/core/Tensor.h"

namespace stlab {

/// Scalar loss tensors by term name ("cls", "box", "seg"); the training loss is
/// their sum. Each term is already normalised (e.g. by the number of positives).
using LossTerms = std::map<std::string, at::Tensor>;

}  // namespace stlab

#endif  // STLAB_CORE_LOSSES_H_
