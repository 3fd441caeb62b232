// The small model whose checkpoints seed checkpoint_fuzzer: parameters and buffers
// (batch norm), so that a strict load checks names, shapes and buffers.
#ifndef STLAB_TESTS_FUZZ_CHECKPOINT_FUZZ_MODEL_H_
#define STLAB_TESTS_FUZZ_CHECKPOINT_FUZZ_MODEL_H_

#include "torch/nn/module.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/linear.h"

namespace stlab::fuzz {

struct CheckpointFuzzModel : torch::nn::Module {
  CheckpointFuzzModel()
      : linear(register_module("linear", torch::nn::Linear(3, 2))),
        norm(register_module("norm", torch::nn::BatchNorm1d(2))) {}

  torch::nn::Linear linear;
  torch::nn::BatchNorm1d norm;
};

}  // namespace stlab::fuzz

#endif  // STLAB_TESTS_FUZZ_CHECKPOINT_FUZZ_MODEL_H_
