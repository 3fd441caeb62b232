// Fuzzes the checkpoint readers through their public entry points, as `stlab eval
// --checkpoint`, a resume and the `checkpoint` initializer call them: ReadCheckpoint
// on the file's bytes, and LoadCheckpoint (strict, with optimizer and run state)
// into a small model. Tensors read are then read byte by byte from instrumented code.
//
// NOTE: both entry points are the ones that verify a checkpoint's integrity
// (issue 20), so inputs that fail the check never reach LibTorch's archive reader,
// and this harness fuzzes stlab's code rather than LibTorch's.
//
// Input: one checkpoint file (corpus/checkpoint_fuzzer holds ones SaveCheckpoint
// wrote; tests/fuzz/make_checkpoint_seeds.cc makes them).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/checkpoint.h"
#include "tests/fuzz/checkpoint_fuzz_model.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tensor_bytes.h"
#include "torch/optim/sgd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path file = stlab::fuzz::ScratchDir() / "checkpoint.pt";
  stlab::fuzz::WriteBytes(file, bytes);

  absl::StatusOr<stlab::CheckpointContents> contents = stlab::ReadCheckpoint(bytes, file);
  if (contents.ok()) {
    for (const auto& [name, tensor] : contents->model) stlab::fuzz::TouchBytes(tensor);
    for (const auto& [name, tensor] : contents->state.tensors) stlab::fuzz::TouchBytes(tensor);
  }

  stlab::fuzz::CheckpointFuzzModel model;
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  stlab::RunState state;
  if (stlab::LoadCheckpoint(file, model, &optimizer, &state).ok()) {
    for (const at::Tensor& tensor : model.parameters()) stlab::fuzz::TouchBytes(tensor);
    for (const at::Tensor& tensor : model.buffers()) stlab::fuzz::TouchBytes(tensor);
    for (const auto& [name, tensor] : state.tensors) stlab::fuzz::TouchBytes(tensor);
  }
  return 0;
}
