// The weight gradient of a 3x3, stride-1, padding-1 convolution as matrix products
// over channels-last patches (im2col). LibTorch's CPU path (oneDNN's direct kernel)
// is slower on every measured layer with 64 or more input channels, most of all on
// small maps: 512 -> 512 channels on 8x8 maps took 64.5 ms against 35.1, 64 -> 64 on
// 2x2 maps 0.23 ms against 0.06 (batch 8, 1 thread, core/ops/conv_benchmark.cc).
#ifndef STLAB_CORE_OPS_CONV3X3_WEIGHT_GRAD_H_
#define STLAB_CORE_OPS_CONV3X3_WEIGHT_GRAD_H_

#include <cstdint>

#include "ATen/core/Tensor.h"

namespace stlab {

/// Patch rows are gathered and multiplied in chunks of about this many floats (1 MiB),
/// so that each chunk is read back from cache and memory stays bounded for any map
/// (chunks from 2^16 to 2^19 floats measured alike; whole maps of 128 channels at
/// 32x32 took 20% longer).
inline constexpr int64_t kWeightGradChunkFloats = int64_t{1} << 18;

/// d(sum(grad_output * conv2d(input, w, stride=1, padding=1))) / dw for float
/// `input` [N, C, H, W] and `grad_output` [N, K, H, W] on the CPU, in any memory
/// layout: sum over positions p of grad_output[p] (outer) patch(p), one GEMM per chunk
/// of about `chunk_floats` patch floats. The result is float [K, C, 3, 3] in
/// channels-last layout. Agrees with the direct kernel to float rounding; its
/// summation order depends only on the shapes and `chunk_floats` (results repeat for
/// a thread count). Throws c10::Error naming the shapes that do not fit.
at::Tensor Conv3x3WeightGrad(const at::Tensor& grad_output, const at::Tensor& input,
                             int64_t chunk_floats = kWeightGradChunkFloats);

}  // namespace stlab

#endif  // STLAB_CORE_OPS_CONV3X3_WEIGHT_GRAD_H_
