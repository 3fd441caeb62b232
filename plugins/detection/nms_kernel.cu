// CUDA kernel of the stlab::nms op (built with STLAB_CUDA). Two passes over the boxes
// sorted by score: a 2-D grid of 64x64 tiles writes, for every box, a 64-bit mask of
// the later boxes it overlaps by more than the threshold; then one block walks the
// boxes in order, keeping each box no earlier kept box has masked.
#include <algorithm>
#include <cstdint>

#include "ATen/ATen.h"
#include "ATen/Dispatch.h"
#include "ATen/OpMathType.h"
#include "ATen/cuda/CUDAContext.h"
#include "c10/cuda/CUDAException.h"
#include "c10/cuda/CUDAGuard.h"
#include "plugins/detection/nms.h"
#include "torch/library.h"

namespace stlab::detection {
namespace {

// Boxes per tile: one bit per box of a 64-bit mask word.
constexpr int kTile = 64;
// The walk keeps one word per tile in shared memory; 48 KiB (the default limit per
// block) is 6144 tiles, i.e. 393,216 boxes, whose overlap mask would need 19 GB.
constexpr int64_t kMaxTiles = 48 * 1024 / sizeof(uint64_t);

template <typename Acc>
__device__ __forceinline__ bool OverlapsAbove(const Acc* a, const Acc* b, double threshold) {
  // Same arithmetic, in the same order, as the CPU kernel (see --fmad=false in
  // CMakeLists.txt), so both keep the same boxes at the threshold's edge.
  const Acc area_a = (a[2] - a[0]) * (a[3] - a[1]);
  const Acc area_b = (b[2] - b[0]) * (b[3] - b[1]);
  const Acc w = max(Acc(0), min(a[2], b[2]) - max(a[0], b[0]));
  const Acc h = max(Acc(0), min(a[3], b[3]) - max(a[1], b[1]));
  const Acc inter = w * h;
  const Acc iou = inter / (area_a + area_b - inter);
  return static_cast<double>(iou) > threshold;
}

// Block (col, row) of the grid compares the boxes of tile `row` (one per thread) with
// those of tile `col` and writes mask[i * num_tiles + col]: bit k set when box i
// overlaps box col * 64 + k, which comes later in score order. Only col >= row is
// ever read, so blocks below the diagonal exit at once.
template <typename T>
__global__ void OverlapMaskKernel(const T* __restrict__ boxes, int64_t n, int64_t num_tiles,
                                  double threshold, uint64_t* __restrict__ mask) {
  using Acc = at::opmath_type<T>;
  const int64_t row = blockIdx.y;
  const int64_t col = blockIdx.x;
  if (col < row) return;
  const int row_count = static_cast<int>(min(int64_t{kTile}, n - row * kTile));
  const int col_count = static_cast<int>(min(int64_t{kTile}, n - col * kTile));

  const int tid = static_cast<int>(threadIdx.x);

  __shared__ Acc col_boxes[kTile * 4];
  if (tid < col_count) {
    const T* src = boxes + (col * kTile + tid) * 4;
    for (int c = 0; c < 4; ++c) col_boxes[tid * 4 + c] = static_cast<Acc>(src[c]);
  }
  __syncthreads();
  if (tid >= row_count) return;

  const int64_t i = row * kTile + tid;
  Acc box[4];
  for (int c = 0; c < 4; ++c) box[c] = static_cast<Acc>(boxes[i * 4 + c]);
  uint64_t bits = 0;
  for (int k = (row == col) ? tid + 1 : 0; k < col_count; ++k) {
    if (OverlapsAbove(box, col_boxes + k * 4, threshold)) bits |= uint64_t{1} << k;
  }
  mask[i * num_tiles + col] = bits;
}

// One block: visits boxes in score order; `removed` holds one word per tile in
// shared memory. Each thread owns the tiles t with t % blockDim.x == threadIdx.x.
// The current tile's word is copied to a register at the tile's start (after the
// barrier that completes the previous tile's updates) and every thread updates its
// copy identically, so all threads take the same branches.
__global__ void WalkMaskKernel(const uint64_t* __restrict__ mask, int64_t n, int64_t num_tiles,
                               bool* __restrict__ keep) {
  extern __shared__ uint64_t removed[];
  for (int64_t t = threadIdx.x; t < num_tiles; t += blockDim.x) removed[t] = 0;
  for (int64_t tile = 0; tile < num_tiles; ++tile) {
    __syncthreads();
    uint64_t current = removed[tile];
    const int count = static_cast<int>(min(int64_t{kTile}, n - tile * kTile));
    for (int k = 0; k < count; ++k) {
      if ((current >> k) & 1) continue;
      const int64_t i = tile * kTile + k;
      if (threadIdx.x == 0) keep[i] = true;
      const uint64_t* row = mask + i * num_tiles;
      current |= row[tile];
      for (int64_t t = threadIdx.x; t < num_tiles; t += blockDim.x) {
        if (t > tile) removed[t] |= row[t];
      }
    }
  }
}

at::Tensor NmsCuda(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  TORCH_CHECK(boxes.is_cuda(), "nms: CUDA kernel got boxes on ", boxes.device());
  const int64_t n = boxes.size(0);
  if (n == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  const c10::cuda::CUDAGuard device_guard(boxes.device());
  const int64_t num_tiles = (n + kTile - 1) / kTile;
  TORCH_CHECK(num_tiles <= kMaxTiles, "nms: at most ", kMaxTiles * kTile, " boxes on CUDA, got ",
              n);

  const at::Tensor order = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0,
                                                   /*descending=*/true));
  const at::Tensor sorted = boxes.index_select(0, order).contiguous();
  at::Tensor mask = at::empty({n, num_tiles}, boxes.options().dtype(at::kLong));
  at::Tensor keep = at::zeros({n}, boxes.options().dtype(at::kBool));
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();

  const dim3 grid(static_cast<unsigned>(num_tiles), static_cast<unsigned>(num_tiles));
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, boxes.scalar_type(), "stlab_nms_cuda", [&] {
        OverlapMaskKernel<scalar_t>
            <<<grid, kTile, 0, stream>>>(sorted.data_ptr<scalar_t>(), n, num_tiles, iou_threshold,
                                         reinterpret_cast<uint64_t*>(mask.data_ptr<int64_t>()));
      });
  C10_CUDA_KERNEL_LAUNCH_CHECK();

  const int threads = static_cast<int>(std::min<int64_t>(256, (num_tiles + 31) / 32 * 32));
  WalkMaskKernel<<<1, threads, num_tiles * sizeof(uint64_t), stream>>>(
      reinterpret_cast<const uint64_t*>(mask.data_ptr<int64_t>()), n, num_tiles,
      keep.data_ptr<bool>());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return order.masked_select(keep);
}

}  // namespace

TORCH_LIBRARY_IMPL(stlab, CUDA, m) { m.impl("nms", TORCH_FN(NmsCuda)); }

}  // namespace stlab::detection
