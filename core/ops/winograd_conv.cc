// Winograd F(4x4, 3x3) convolution: input transform, 36 GEMMs, output transform.
//
// Layout: channels-last throughout, so that every transform walks contiguous channel
// runs and the 36 GEMMs are plain [tiles, C] x [C, K] products (MKL through at::bmm).
// The transforms are the Lavin-Gray matrices for the points 0, +-1, +-2:
//   B^T d B (6x6 input tile), G g G^T (3x3 kernel -> 6x6), A^T m A (6x6 -> 4x4 output).
#include "core/ops/winograd_conv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ATen/Parallel.h"
#include "ATen/ops/bmm.h"
#include "ATen/ops/empty.h"
#include "c10/util/Exception.h"

namespace stlab {
namespace {

constexpr int64_t kOutTile = 4;                 // Output pixels per tile side.
constexpr int64_t kInTile = 6;                  // Input pixels per tile side.
constexpr int64_t kPoints = kInTile * kInTile;  // GEMMs, one per Winograd point.
constexpr int64_t kBlock = 64;                  // Channels per pass: a tile stays in L1.

// Compiled for AVX2+FMA and for the baseline, picked at load time.
#define STLAB_WINOGRAD_TARGETS __attribute__((target_clones("arch=haswell", "default")))

struct TileIndex {
  int64_t image, row, col;  // Tile rows and columns, kOutTile pixels each.
};

struct Geometry {
  int64_t height, width, tiles_h, tiles_w, tiles;

  // Tiles are numbered image by image, row by row.
  TileIndex Tile(int64_t t) const {
    return {t / (tiles_h * tiles_w), t / tiles_w % tiles_h, t % tiles_w};
  }
};

// V[p, t, c] = (B^T d B)[p] for the tiles [begin, end) of x [N, H, W, C], where d is
// the 6x6 patch at (4 ty - 1, 4 tx - 1), zero outside the image (the padding).
STLAB_WINOGRAD_TARGETS
void InputTransform(const float* x, int64_t channels, const Geometry& g, int64_t begin,
                    int64_t end, float* v) {
  alignas(64) float d[kInTile][kInTile][kBlock];
  alignas(64) float r[kInTile][kInTile][kBlock];
  const int64_t plane = g.tiles * channels;
  for (int64_t t = begin; t < end; ++t) {
    const auto [n, ty, tx] = g.Tile(t);
    for (int64_t c0 = 0; c0 < channels; c0 += kBlock) {
      const int64_t nc = std::min(kBlock, channels - c0);
      for (int64_t i = 0; i < kInTile; ++i) {
        const int64_t y = ty * kOutTile - 1 + i;
        for (int64_t j = 0; j < kInTile; ++j) {
          const int64_t xx = tx * kOutTile - 1 + j;
          if (y < 0 || y >= g.height || xx < 0 || xx >= g.width) {
            std::memset(d[i][j], 0, sizeof(float) * nc);
          } else {
            std::memcpy(d[i][j], x + ((n * g.height + y) * g.width + xx) * channels + c0,
                        sizeof(float) * nc);
          }
        }
      }
      for (int64_t j = 0; j < kInTile; ++j) {  // B^T d: along the rows.
        for (int64_t c = 0; c < nc; ++c) {
          const float d0 = d[0][j][c], d1 = d[1][j][c], d2 = d[2][j][c];
          const float d3 = d[3][j][c], d4 = d[4][j][c], d5 = d[5][j][c];
          r[0][j][c] = 4.0f * d0 - 5.0f * d2 + d4;
          r[1][j][c] = -4.0f * (d1 + d2) + d3 + d4;
          r[2][j][c] = 4.0f * (d1 - d2) - d3 + d4;
          r[3][j][c] = 2.0f * (d3 - d1) - d2 + d4;
          r[4][j][c] = 2.0f * (d1 - d3) - d2 + d4;
          r[5][j][c] = 4.0f * d1 - 5.0f * d3 + d5;
        }
      }
      for (int64_t i = 0; i < kInTile; ++i) {  // (B^T d) B: along the columns.
        float* out = v + (i * kInTile) * plane + t * channels + c0;
        for (int64_t c = 0; c < nc; ++c) {
          const float e0 = r[i][0][c], e1 = r[i][1][c], e2 = r[i][2][c];
          const float e3 = r[i][3][c], e4 = r[i][4][c], e5 = r[i][5][c];
          out[0 * plane + c] = 4.0f * e0 - 5.0f * e2 + e4;
          out[1 * plane + c] = -4.0f * (e1 + e2) + e3 + e4;
          out[2 * plane + c] = 4.0f * (e1 - e2) - e3 + e4;
          out[3 * plane + c] = 2.0f * (e3 - e1) - e2 + e4;
          out[4 * plane + c] = 2.0f * (e1 - e3) - e2 + e4;
          out[5 * plane + c] = 4.0f * e1 - 5.0f * e3 + e5;
        }
      }
    }
  }
}

// y[N, H, W, K] = A^T m A (+ bias) for the tiles [begin, end), m = M[:, t, :].
STLAB_WINOGRAD_TARGETS
void OutputTransform(const float* m, const float* bias, int64_t channels, const Geometry& g,
                     int64_t begin, int64_t end, float* y) {
  alignas(64) float s[kOutTile][kInTile][kBlock];
  alignas(64) float o[kOutTile][kOutTile][kBlock];
  const int64_t plane = g.tiles * channels;
  for (int64_t t = begin; t < end; ++t) {
    const auto [n, ty, tx] = g.Tile(t);
    for (int64_t k0 = 0; k0 < channels; k0 += kBlock) {
      const int64_t nk = std::min(kBlock, channels - k0);
      for (int64_t j = 0; j < kInTile; ++j) {  // A^T m: along the rows.
        const float* in = m + j * plane + t * channels + k0;
        for (int64_t c = 0; c < nk; ++c) {
          const float m0 = in[0 * kInTile * plane + c], m1 = in[1 * kInTile * plane + c];
          const float m2 = in[2 * kInTile * plane + c], m3 = in[3 * kInTile * plane + c];
          const float m4 = in[4 * kInTile * plane + c], m5 = in[5 * kInTile * plane + c];
          s[0][j][c] = m0 + m1 + m2 + m3 + m4;
          s[1][j][c] = m1 - m2 + 2.0f * (m3 - m4);
          s[2][j][c] = m1 + m2 + 4.0f * (m3 + m4);
          s[3][j][c] = m1 - m2 + 8.0f * (m3 - m4) + m5;
        }
      }
      for (int64_t a = 0; a < kOutTile; ++a) {  // (A^T m) A: along the columns.
        for (int64_t c = 0; c < nk; ++c) {
          const float b = bias != nullptr ? bias[k0 + c] : 0.0f;
          const float e0 = s[a][0][c], e1 = s[a][1][c], e2 = s[a][2][c];
          const float e3 = s[a][3][c], e4 = s[a][4][c], e5 = s[a][5][c];
          o[a][0][c] = e0 + e1 + e2 + e3 + e4 + b;
          o[a][1][c] = e1 - e2 + 2.0f * (e3 - e4) + b;
          o[a][2][c] = e1 + e2 + 4.0f * (e3 + e4) + b;
          o[a][3][c] = e1 - e2 + 8.0f * (e3 - e4) + e5 + b;
        }
      }
      for (int64_t a = 0; a < kOutTile; ++a) {
        const int64_t row = ty * kOutTile + a;
        if (row >= g.height) break;
        for (int64_t b = 0; b < kOutTile; ++b) {
          const int64_t col = tx * kOutTile + b;
          if (col >= g.width) break;
          std::memcpy(y + ((n * g.height + row) * g.width + col) * channels + k0, o[a][b],
                      sizeof(float) * nk);
        }
      }
    }
  }
}

// Tiles per parallel task: enough work per task to hide the scheduling.
constexpr int64_t kTileGrain = 16;

// (input, output) channel pairs per parallel task of the weight transform.
constexpr int64_t kPairGrain = 4096;

// U[p, q] = sum_t kron[p][t] taps[t, q] for the pairs q in [begin, end).
STLAB_WINOGRAD_TARGETS
void TransformWeights(const float (&kron)[kPoints][9], const float* taps, int64_t pairs,
                      int64_t begin, int64_t end, float* u) {
  constexpr int64_t kRun = 1024;  // Pairs per pass: their 9 taps stay in L1.
  for (int64_t first = begin; first < end; first += kRun) {
    const int64_t last = std::min(end, first + kRun);
    for (int64_t p = 0; p < kPoints; ++p) {
      const float* k = kron[p];
      const float* __restrict t = taps;
      float* __restrict row = u + p * pairs;
      for (int64_t q = first; q < last; ++q) {
        row[q] = k[0] * t[q] + k[1] * t[pairs + q] + k[2] * t[2 * pairs + q] +
                 k[3] * t[3 * pairs + q] + k[4] * t[4 * pairs + q] + k[5] * t[5 * pairs + q] +
                 k[6] * t[6 * pairs + q] + k[7] * t[7 * pairs + q] + k[8] * t[8 * pairs + q];
      }
    }
  }
}

}  // namespace

at::Tensor WinogradWeights(const at::Tensor& weight) {
  TORCH_CHECK(weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3,
              "WinogradWeights: expected a [K, C, 3, 3] weight, got ", weight.sizes());
  constexpr double kG[kInTile][3] = {{1.0 / 4, 0.0, 0.0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0.0, 0.0, 1.0}};
  // U[a b, c, k] = sum_ij G[a, i] G[b, j] g[k, c, i, j], over runs of the (c, k)
  // pairs: each tap read once, each U row written once (training recomputes U every
  // step). NOTE: a loop, not a BLAS call, for a fixed summation order: the same bits
  // on every run, whatever the buffers' alignment or the thread count.
  float kron[kPoints][9];
  for (int64_t a = 0; a < kInTile; ++a) {
    for (int64_t b = 0; b < kInTile; ++b) {
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 3; ++j) {
          kron[a * kInTile + b][i * 3 + j] = static_cast<float>(kG[a][i] * kG[b][j]);
        }
      }
    }
  }
  const int64_t out_channels = weight.size(0);
  const int64_t in_channels = weight.size(1);
  const int64_t pairs = in_channels * out_channels;
  const at::Tensor taps = weight.detach()
                              .to(at::kCPU, at::kFloat)
                              .permute({2, 3, 1, 0})
                              .reshape({9, pairs})
                              .contiguous();
  at::Tensor u = at::empty({kPoints, in_channels, out_channels}, taps.options());
  const float* taps_data = taps.const_data_ptr<float>();
  float* u_data = u.mutable_data_ptr<float>();
  at::parallel_for(0, pairs, kPairGrain, [&](int64_t begin, int64_t end) {
    TransformWeights(kron, taps_data, pairs, begin, end, u_data);
  });
  return u.to(weight.device(), weight.scalar_type());
}

at::Tensor WinogradConv3x3(const at::Tensor& input, const at::Tensor& winograd_weights,
                           const std::optional<at::Tensor>& bias) {
  TORCH_CHECK(input.dim() == 4 && input.scalar_type() == at::kFloat && input.is_cpu(),
              "WinogradConv3x3: expected a float CPU input [N, C, H, W], got ",
              input.scalar_type(), " ", input.sizes(), " on ", input.device());
  const int64_t batch = input.size(0);
  const int64_t in_channels = input.size(1);
  TORCH_CHECK(winograd_weights.dim() == 3 && winograd_weights.size(0) == kPoints &&
                  winograd_weights.size(1) == in_channels &&
                  winograd_weights.scalar_type() == at::kFloat,
              "WinogradConv3x3: expected float Winograd weights [36, ", in_channels,
              ", K] (WinogradWeights), got ", winograd_weights.scalar_type(), " ",
              winograd_weights.sizes());
  const int64_t out_channels = winograd_weights.size(2);
  TORCH_CHECK(!bias.has_value() || (bias->dim() == 1 && bias->size(0) == out_channels),
              "WinogradConv3x3: expected a bias [", out_channels, "], got ",
              bias.has_value() ? bias->sizes() : at::IntArrayRef{});
  Geometry g;
  g.height = input.size(2);
  g.width = input.size(3);
  g.tiles_h = (g.height + kOutTile - 1) / kOutTile;
  g.tiles_w = (g.width + kOutTile - 1) / kOutTile;
  g.tiles = batch * g.tiles_h * g.tiles_w;

  const at::Tensor x = input.contiguous(at::MemoryFormat::ChannelsLast);
  at::Tensor v = at::empty({kPoints, g.tiles, in_channels}, x.options());
  const float* x_data = x.const_data_ptr<float>();
  float* v_data = v.mutable_data_ptr<float>();
  at::parallel_for(0, g.tiles, kTileGrain, [&](int64_t begin, int64_t end) {
    InputTransform(x_data, in_channels, g, begin, end, v_data);
  });

  const at::Tensor m = at::bmm(v, winograd_weights);  // [36, tiles, K]
  const at::Tensor b = bias.has_value() ? bias->detach().to(at::kFloat).contiguous() : at::Tensor();
  at::Tensor y = at::empty({batch, out_channels, g.height, g.width},
                           x.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* m_data = m.const_data_ptr<float>();
  const float* b_data = b.defined() ? b.const_data_ptr<float>() : nullptr;
  float* y_data = y.mutable_data_ptr<float>();
  at::parallel_for(0, g.tiles, kTileGrain, [&](int64_t begin, int64_t end) {
    OutputTransform(m_data, b_data, out_channels, g, begin, end, y_data);
  });
  return y;
}

}  // namespace stlab
