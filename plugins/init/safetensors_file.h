// Reading the safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header {"name": {"dtype", "shape",
// "data_offsets": [begin, end]}, "__metadata__": {...}}, then the data buffer that
// the offsets index.
#ifndef STLAB_PLUGINS_INIT_SAFETENSORS_FILE_H_
#define STLAB_PLUGINS_INIT_SAFETENSORS_FILE_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "plugins/init/named_tensors.h"

namespace stlab::init {

/// Every tensor of the safetensors file whose contents are `bytes`, by its name in the
/// file, as CPU tensors of the stored dtype (F32, F16, BF16, F64 and, for batch-norm
/// counters, I64; any other dtype is an error). `where` names the file in errors.
/// A truncated or inconsistent file (header past the end, offsets past the data,
/// byte counts that do not match dtype and shape, invalid JSON, a name given twice)
/// is an InvalidArgument error naming the tensor at fault.
absl::StatusOr<NamedTensors> ParseSafetensors(absl::string_view bytes, absl::string_view where);

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_SAFETENSORS_FILE_H_
