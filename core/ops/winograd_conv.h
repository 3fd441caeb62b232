// 3x3 stride-1 convolution by Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray,
// 2016) on the CPU: 36 multiplications per 4x4 output tile and channel pair where a
// direct convolution needs 144. oneDNN has Winograd kernels only for AVX-512; on AVX2
// machines LibTorch convolves directly, and inference spends most of its time in
// exactly these convolutions (RetinaNet's towers, the FPN's outputs, ResNet's blocks).
#ifndef STLAB_CORE_OPS_WINOGRAD_CONV_H_
#define STLAB_CORE_OPS_WINOGRAD_CONV_H_

#include <optional>

#include "ATen/core/Tensor.h"

namespace stlab {

/// The Winograd-domain form of 3x3 `weight` [K, C, 3, 3]: U = G g G^T for every
/// (output, input) channel pair, as [36, C, K] in the weight's dtype and device.
/// It depends only on the weights, so callers compute it once per weight version.
at::Tensor WinogradWeights(const at::Tensor& weight);

/// conv2d(input, weight, bias, stride=1, padding=1) with `winograd_weights` =
/// WinogradWeights(weight). `input` is float [N, C, H, W] on the CPU in any memory
/// layout; the result is float [N, K, H, W] in channels-last layout. Agrees with the
/// direct convolution to float rounding (about 1e-5 of the output's scale: the
/// transforms scale by up to 8). No autograd of its own: Conv2d (conv2d.h)
/// builds the layer's gradients from it.
at::Tensor WinogradConv3x3(const at::Tensor& input, const at::Tensor& winograd_weights,
                           const std::optional<at::Tensor>& bias);

}  // namespace stlab

#endif  // STLAB_CORE_OPS_WINOGRAD_CONV_H_
