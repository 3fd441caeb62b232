// Test fixtures for the augmentation tests: samples with one filled rectangle, and
// the tight box around a mask label.
#ifndef STLAB_PLUGINS_AUGMENT_TEST_SAMPLES_H_
#define STLAB_PLUGINS_AUGMENT_TEST_SAMPLES_H_

#include <cstdint>
#include <set>

#include "ATen/ATen.h"
#include "core/sample.h"

namespace stlab::augment::testing {

/// A height x width sample (background 0 in image and mask) with one filled
/// rectangle covering pixels x in [x1, x2), y in [y1, y2): image value 200, mask
/// value `label`, box (x1, y1, x2, y2) with label `label`.
inline Sample RectangleSample(int64_t height, int64_t width, int64_t x1, int64_t y1, int64_t x2,
                              int64_t y2, int64_t label = 3) {
  Sample s;
  s.source = "rectangle";
  s.image = at::zeros({height, width, 3}, at::kByte);
  s.mask = at::zeros({height, width}, at::kByte);
  s.image.slice(0, y1, y2).slice(1, x1, x2).fill_(200);
  s.mask.slice(0, y1, y2).slice(1, x1, x2).fill_(label);
  s.boxes = at::tensor({static_cast<float>(x1), static_cast<float>(y1), static_cast<float>(x2),
                        static_cast<float>(y2)})
                .reshape({1, 4});
  s.labels = at::tensor({label});
  return s;
}

/// The tight box [1, 4] around the mask pixels equal to `label`; undefined if none.
inline at::Tensor MaskBox(const at::Tensor& mask, int64_t label) {
  at::Tensor yx = (mask == label).nonzero();
  if (yx.size(0) == 0) return at::Tensor();
  at::Tensor y = yx.select(1, 0).to(at::kFloat);
  at::Tensor x = yx.select(1, 1).to(at::kFloat);
  return at::stack({x.min(), y.min(), x.max() + 1, y.max() + 1}).reshape({1, 4});
}

/// Gives `s` (with a mask) a two-class soft mask derived from its mask: plane 0 is
/// 200 where the mask is `label` and 0 elsewhere, plane 1 is 55 where the mask is 0.
inline Sample WithSoftMask(Sample s, int64_t label = 3) {
  s.soft_mask = at::stack({(s.mask == label).to(at::kByte) * 200, (s.mask == 0).to(at::kByte) * 55})
                    .contiguous();
  return s;
}

/// Whether `s`'s soft mask is still what WithSoftMask derived from its mask: a
/// geometric op moved every plane exactly as it moved the mask.
inline bool SoftMaskFollowsMask(const Sample& s, int64_t label = 3) {
  return s.soft_mask.defined() && at::equal(s.soft_mask, WithSoftMask(s, label).soft_mask);
}

/// The distinct values of a uint8 tensor.
inline std::set<int> Values(const at::Tensor& t) {
  at::Tensor u = std::get<0>(at::_unique(t.flatten()));
  std::set<int> values;
  for (int64_t i = 0; i < u.size(0); ++i) values.insert(u[i].item<int>());
  return values;
}

/// Same tensors in every field an augmentation touches.
inline bool SameSample(const Sample& a, const Sample& b) {
  auto same = [](const at::Tensor& x, const at::Tensor& y) {
    return x.defined() == y.defined() &&
           (!x.defined() || (x.sizes() == y.sizes() && at::equal(x, y)));
  };
  return same(a.image, b.image) && same(a.mask, b.mask) && same(a.boxes, b.boxes) &&
         same(a.labels, b.labels) && same(a.ignore_boxes, b.ignore_boxes);
}

}  // namespace stlab::augment::testing

#endif  // STLAB_PLUGINS_AUGMENT_TEST_SAMPLES_H_
