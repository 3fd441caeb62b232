// Fuzzes the safetensors reader (ParseSafetensors), the format of imported
// torchvision/timm weights. Every tensor read is then read byte by byte after the
// input's buffer is gone: a tensor that points into the file's bytes, or past them,
// is an AddressSanitizer report.
//
// Input: one .safetensors file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "plugins/init/safetensors_file.h"
#include "tests/fuzz/tensor_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<stlab::init::NamedTensors> tensors = [&] {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    return stlab::init::ParseSafetensors(bytes, "fuzz.safetensors");
  }();
  if (!tensors.ok()) return 0;
  for (const auto& [name, tensor] : *tensors) stlab::fuzz::TouchBytes(tensor);
  return 0;
}
