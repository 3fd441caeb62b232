// A small module with convolution and batch-norm children, for the initializer tests.
#ifndef STLAB_PLUGINS_INIT_TINY_NET_FOR_TESTS_H_
#define STLAB_PLUGINS_INIT_TINY_NET_FOR_TESTS_H_

#include "torch/nn/module.h"
#include "torch/nn/modules/batchnorm.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/conv.h"

namespace stlab::init::testing {

/// Parameters and buffers: conv1.weight [4, 3, 3, 3], bn1.{weight, bias, running_mean,
/// running_var, num_batches_tracked} [4], layer1.0.{weight [2, 4, 1, 1], bias [2]},
/// layer1.1.* [2] (a batch norm).
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() {
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).bias(false)));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(4));
    layer1 = register_module("layer1", torch::nn::Sequential(torch::nn::Conv2d(4, 2, 1),
                                                             torch::nn::BatchNorm2d(2)));
  }
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr};
};

}  // namespace stlab::init::testing

#endif  // STLAB_PLUGINS_INIT_TINY_NET_FOR_TESTS_H_
