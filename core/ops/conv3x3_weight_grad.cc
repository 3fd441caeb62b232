#include "core/ops/conv3x3_weight_grad.h"

#include <algorithm>
#include <cstring>

#include "ATen/Parallel.h"
#include "ATen/ops/addmm.h"
#include "ATen/ops/empty.h"
#include "ATen/ops/mm.h"
#include "c10/util/Exception.h"

namespace stlab {
namespace {

// Rows [begin, end) of the patch matrix of channels-last `input` [N, H, W, C] in
// memory: row (n, y, x) holds input[n, y + ky - 1, x + kx - 1, :] for ky, kx in
// 0..2, zeros outside the map, in (ky, kx, c) order (a channels-last weight's).
void GatherPatches(const float* input, int64_t height, int64_t width, int64_t channels,
                   int64_t begin, int64_t end, float* patches) {
  const int64_t row_floats = 9 * channels;
  const size_t pixel_bytes = static_cast<size_t>(channels) * sizeof(float);
  at::parallel_for(begin, end, /*grain_size=*/64, [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; ++row) {
      const int64_t image = row / (height * width);
      const int64_t y = row / width % height;
      const int64_t x = row % width;
      float* out = patches + (row - begin) * row_floats;
      for (int64_t ky = 0; ky < 3; ++ky) {
        const int64_t iy = y + ky - 1;
        for (int64_t kx = 0; kx < 3; ++kx, out += channels) {
          const int64_t ix = x + kx - 1;
          if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
            std::memset(out, 0, pixel_bytes);
          } else {
            std::memcpy(out, input + ((image * height + iy) * width + ix) * channels, pixel_bytes);
          }
        }
      }
    }
  });
}

}  // namespace

at::Tensor Conv3x3WeightGrad(const at::Tensor& grad_output, const at::Tensor& input,
                             int64_t chunk_floats) {
  TORCH_CHECK(input.dim() == 4 && grad_output.dim() == 4,
              "Conv3x3WeightGrad: input and grad_output must be [N, C, H, W] and [N, K, H, W], got ",
              input.sizes(), " and ", grad_output.sizes());
  TORCH_CHECK(input.size(0) == grad_output.size(0) && input.size(2) == grad_output.size(2) &&
                  input.size(3) == grad_output.size(3),
              "Conv3x3WeightGrad: grad_output ", grad_output.sizes(),
              " must have input's batch and map size ", input.sizes());
  TORCH_CHECK(input.is_cpu() && grad_output.is_cpu() && input.scalar_type() == at::kFloat &&
                  grad_output.scalar_type() == at::kFloat,
              "Conv3x3WeightGrad: expects float CPU tensors");
  TORCH_CHECK(chunk_floats > 0, "Conv3x3WeightGrad: chunk_floats must be > 0, got ", chunk_floats);
  const int64_t channels = input.size(1);
  const int64_t outputs = grad_output.size(1);
  const int64_t height = input.size(2);
  const int64_t width = input.size(3);
  const int64_t rows = input.size(0) * height * width;
  const int64_t row_floats = 9 * channels;

  const at::Tensor source = input.contiguous(at::MemoryFormat::ChannelsLast);
  // [rows, K] as a view: a channels-last map is (n, y, x)-major with channels innermost.
  const at::Tensor grad_rows =
      grad_output.contiguous(at::MemoryFormat::ChannelsLast).permute({0, 2, 3, 1}).reshape({rows, outputs});
  at::Tensor grad_weight = at::empty({outputs, row_floats}, input.options());
  if (rows == 0) return grad_weight.zero_().view({outputs, 3, 3, channels}).permute({0, 3, 1, 2});

  const int64_t chunk_rows = std::clamp<int64_t>(chunk_floats / row_floats, 1, rows);
  at::Tensor patches = at::empty({chunk_rows, row_floats}, input.options());
  for (int64_t begin = 0; begin < rows; begin += chunk_rows) {
    const int64_t end = std::min(rows, begin + chunk_rows);
    at::Tensor chunk = patches.narrow(0, 0, end - begin);
    GatherPatches(source.const_data_ptr<float>(), height, width, channels, begin, end,
                  chunk.mutable_data_ptr<float>());
    const at::Tensor grad_chunk = grad_rows.narrow(0, begin, end - begin).t();
    if (begin == 0) {
      at::mm_out(grad_weight, grad_chunk, chunk);
    } else {
      grad_weight.addmm_(grad_chunk, chunk);
    }
  }
  // [K, (ky, kx, c)] is a channels-last [K, C, 3, 3].
  return grad_weight.view({outputs, 3, 3, channels}).permute({0, 3, 1, 2});
}

}  // namespace stlab
