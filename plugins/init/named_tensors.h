// Copying tensors read from a weights file into a module by name: the one loading
// rule (strict or partial, with every problem named) shared by the initializers that
// load weights.
#ifndef STLAB_PLUGINS_INIT_NAMED_TENSORS_H_
#define STLAB_PLUGINS_INIT_NAMED_TENSORS_H_

#include <map>
#include <string>
#include "absl/strings/string_view.h"

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "torch/nn/module.h"

namespace stlab::init {

/// Tensors by the module-relative name they are meant for ("layer1.0.conv1.weight"),
/// after a file's key map and ignore rules have been applied.
using NamedTensors = std::map<std::string, at::Tensor>;

/// Copies `source` into `module`'s parameters and buffers of the same names, converting
/// dtype and device to the module's. Nothing is copied unless loading succeeds.
///
/// Strict: every parameter and buffer of `module` must be in `source` with its shape,
/// and `source` may hold no other name; otherwise an InvalidArgument error starting
/// with `where` lists every missing name, every unexpected name and every shape
/// mismatch. Not strict: what matches is copied, what was skipped is logged as a
/// warning, and it is an error only when nothing matches.
///
/// NOTE: a batch norm's `num_batches_tracked` absent from `source` is not missing: it
/// is bookkeeping that older PyTorch files (torchvision's ResNet weights among them)
/// never stored, and PyTorch's own loader accepts them too. The module keeps its value.
absl::Status LoadNamedTensors(const NamedTensors& source, absl::string_view where, bool strict,
                              torch::nn::Module& module);

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_NAMED_TENSORS_H_
