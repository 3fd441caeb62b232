// The detection ops: level-to-argument maps, and their application to a sample
// (pixels through image_ops on cv::Mat views of the tensors, boxes with ATen).
#include "plugins/augment/detection_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/shuffle.h"
#include "opencv2/imgproc.hpp"
#include "plugins/augment/image_ops.h"

namespace stlab::augment {
namespace {

struct OpInfo {
  Op op;
  const char* name;
  OpKind kind;
};

// In the order of the enum.
constexpr OpInfo kOps[] = {
    {Op::kAutoContrast, "AutoContrast", OpKind::kColor},
    {Op::kEqualize, "Equalize", OpKind::kColor},
    {Op::kInvert, "Invert", OpKind::kColor},
    {Op::kPosterize, "Posterize", OpKind::kColor},
    {Op::kSolarize, "Solarize", OpKind::kColor},
    {Op::kSolarizeAdd, "SolarizeAdd", OpKind::kColor},
    {Op::kColor, "Color", OpKind::kColor},
    {Op::kContrast, "Contrast", OpKind::kColor},
    {Op::kBrightness, "Brightness", OpKind::kColor},
    {Op::kSharpness, "Sharpness", OpKind::kColor},
    {Op::kCutout, "Cutout", OpKind::kCutout},
    {Op::kBBoxCutout, "BBox_Cutout", OpKind::kCutout},
    {Op::kRotateBBox, "Rotate_BBox", OpKind::kGeometric},
    {Op::kShearXBBox, "ShearX_BBox", OpKind::kGeometric},
    {Op::kShearYBBox, "ShearY_BBox", OpKind::kGeometric},
    {Op::kTranslateXBBox, "TranslateX_BBox", OpKind::kGeometric},
    {Op::kTranslateYBBox, "TranslateY_BBox", OpKind::kGeometric},
    {Op::kRotateOnlyBBoxes, "Rotate_Only_BBoxes", OpKind::kPerBox},
    {Op::kShearXOnlyBBoxes, "ShearX_Only_BBoxes", OpKind::kPerBox},
    {Op::kShearYOnlyBBoxes, "ShearY_Only_BBoxes", OpKind::kPerBox},
    {Op::kTranslateXOnlyBBoxes, "TranslateX_Only_BBoxes", OpKind::kPerBox},
    {Op::kTranslateYOnlyBBoxes, "TranslateY_Only_BBoxes", OpKind::kPerBox},
    {Op::kFlipOnlyBBoxes, "Flip_Only_BBoxes", OpKind::kPerBox},
    {Op::kEqualizeOnlyBBoxes, "Equalize_Only_BBoxes", OpKind::kPerBox},
    {Op::kSolarizeOnlyBBoxes, "Solarize_Only_BBoxes", OpKind::kPerBox},
    {Op::kCutoutOnlyBBoxes, "Cutout_Only_BBoxes", OpKind::kPerBox},
};

const OpInfo& Info(Op op) { return kOps[static_cast<int>(op)]; }

const cv::Scalar kFill(kOpFill[0], kOpFill[1], kOpFill[2]);

cv::Mat WrapBytes(const at::Tensor& t) {
  const int channels = t.dim() == 3 ? static_cast<int>(t.size(2)) : 1;
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC(channels),
                 t.data_ptr());
}

// The pixels whose centres lie inside box (x1, y1, x2, y2), clipped to the image.
cv::Rect PixelsOf(const float* box, int width, int height) {
  auto first = [](double v, int size) {
    return std::clamp(static_cast<int>(std::ceil(v - 0.5)), 0, size);
  };
  const int x1 = first(box[0], width), x2 = first(box[2], width);
  const int y1 = first(box[1], height), y2 = first(box[3], height);
  return cv::Rect(x1, y1, std::max(0, x2 - x1), std::max(0, y2 - y1));
}

// The rectangle [cx - half_w, cx + half_w) x [cy - half_h, cy + half_h).
cv::Rect Around(int cx, int cy, int half_w, int half_h) {
  return cv::Rect(cx - half_w, cy - half_h, 2 * half_w, 2 * half_h);
}

// A uniformly random pixel of a non-empty region.
cv::Point DrawPixel(const cv::Rect& region, Rng& rng) {
  const int64_t x = rng.UniformInt(region.x, region.x + region.width - 1);
  const int64_t y = rng.UniformInt(region.y, region.y + region.height - 1);
  return {static_cast<int>(x), static_cast<int>(y)};
}

// The boxes enclosing the four mapped corners of each box.
at::Tensor MapBoxes(const at::Tensor& boxes, const Affine& m) {
  if (!boxes.defined() || boxes.size(0) == 0) return boxes;
  const at::Tensor b = boxes.to(at::kDouble);
  const at::Tensor xs = at::stack({b.select(1, 0), b.select(1, 2), b.select(1, 0), b.select(1, 2)}, 1);
  const at::Tensor ys = at::stack({b.select(1, 1), b.select(1, 1), b.select(1, 3), b.select(1, 3)}, 1);
  const at::Tensor mx = xs * m.a + ys * m.b + m.tx;
  const at::Tensor my = xs * m.c + ys * m.d + m.ty;
  return at::stack({std::get<0>(mx.min(1)), std::get<0>(my.min(1)), std::get<0>(mx.max(1)),
                    std::get<0>(my.max(1))},
                   1)
      .to(boxes.scalar_type());
}

// The affine map of a geometric op with `argument` on a width x height image.
Affine GeometricMap(Op op, double argument, int width, int height) {
  switch (op) {
    case Op::kRotateBBox:
    case Op::kRotateOnlyBBoxes:
      return Rotation(argument, width / 2.0, height / 2.0);
    case Op::kShearXBBox:
    case Op::kShearXOnlyBBoxes:
      return ShearX(argument);
    case Op::kShearYBBox:
    case Op::kShearYOnlyBBoxes:
      return ShearY(argument);
    case Op::kTranslateXBBox:
    case Op::kTranslateXOnlyBBoxes:
      return Translation(argument, 0.0);
    default:
      return Translation(0.0, argument);
  }
}

// Image bilinear (grey outside), mask nearest (kIgnoreLabel outside), soft mask
// nearest per class plane (0 outside), boxes and ignore boxes mapped, clipped and
// filtered.
void WarpSampleAffine(Sample& sample, const Affine& map) {
  cv::Mat image = WrapBytes(sample.image);
  WarpImage(image, map, kFill);
  if (sample.mask.defined()) {
    const at::Tensor mask = sample.mask.contiguous();
    at::Tensor out = at::empty_like(mask);
    cv::Mat out_mat = WrapBytes(out);  // Preallocated: Warp writes into the tensor.
    Warp(WrapBytes(mask), out_mat, map, cv::INTER_NEAREST, cv::Scalar(kIgnoreLabel));
    sample.mask = out;
  }
  if (sample.soft_mask.defined()) {
    const at::Tensor soft = sample.soft_mask.contiguous();
    at::Tensor out = at::empty_like(soft);
    for (int64_t c = 0; c < soft.size(0); ++c) {
      cv::Mat out_plane = WrapBytes(out[c]);
      Warp(WrapBytes(soft[c]), out_plane, map, cv::INTER_NEAREST, cv::Scalar(0));
    }
    sample.soft_mask = out;
  }
  sample.boxes = MapBoxes(sample.boxes, map);
  sample.ignore_boxes = MapBoxes(sample.ignore_boxes, map);
  ClipBoxes(sample, sample.image.size(0), sample.image.size(1));
}

// Applies a colour op to `pixels` (an image or a box's region).
void ApplyColor(cv::Mat& pixels, Op op, double argument) {
  const int int_argument = static_cast<int>(argument);
  switch (op) {
    case Op::kAutoContrast: AutoContrast(pixels); break;
    case Op::kEqualize:
    case Op::kEqualizeOnlyBBoxes: Equalize(pixels); break;
    case Op::kInvert: Invert(pixels); break;
    case Op::kPosterize: Posterize(pixels, int_argument); break;
    case Op::kSolarize:
    case Op::kSolarizeOnlyBBoxes: Solarize(pixels, int_argument); break;
    case Op::kSolarizeAdd: SolarizeAdd(pixels, int_argument); break;
    case Op::kColor: Color(pixels, argument); break;
    case Op::kContrast: Contrast(pixels, argument); break;
    case Op::kBrightness: Brightness(pixels, argument); break;
    case Op::kSharpness: Sharpness(pixels, argument); break;
    default: break;
  }
}

// Applies a per-box op to the pixels of one box.
void ApplyToRegion(cv::Mat& region, Op op, double argument, Rng& rng) {
  switch (op) {
    case Op::kFlipOnlyBBoxes:
      FlipImage(region);
      break;
    case Op::kCutoutOnlyBBoxes: {
      const int half = static_cast<int>(argument);
      const cv::Point c = DrawPixel(cv::Rect(0, 0, region.cols, region.rows), rng);
      FillRect(region, Around(c.x, c.y, half, half), kFill);
      break;
    }
    case Op::kEqualizeOnlyBBoxes:
    case Op::kSolarizeOnlyBBoxes:
      ApplyColor(region, op, argument);
      break;
    default:
      WarpImage(region, GeometricMap(op, argument, region.cols, region.rows), kFill);
      break;
  }
}

void ApplyPerBox(Sample& sample, cv::Mat& image, const OpCall& call, Rng& rng) {
  if (!sample.boxes.defined() || sample.boxes.size(0) == 0) return;
  const at::Tensor boxes = sample.boxes.contiguous();
  std::vector<int64_t> order(static_cast<size_t>(boxes.size(0)));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  Shuffle(order, rng);
  for (int64_t i : order) {
    if (!rng.Bernoulli(call.box_probability)) continue;
    const cv::Rect pixels = PixelsOf(boxes.data_ptr<float>() + 4 * i, image.cols, image.rows);
    if (pixels.empty()) continue;
    cv::Mat region = image(pixels);
    ApplyToRegion(region, call.op, call.argument, rng);
  }
}

void ApplyBBoxCutout(const Sample& sample, cv::Mat& image, double fraction, Rng& rng) {
  if (!sample.boxes.defined() || sample.boxes.size(0) == 0) return;
  const at::Tensor boxes = sample.boxes.contiguous();
  const int64_t i = rng.UniformInt(0, boxes.size(0) - 1);
  const cv::Rect box = PixelsOf(boxes.data_ptr<float>() + 4 * i, image.cols, image.rows);
  if (box.empty()) return;
  const cv::Point c = DrawPixel(box, rng);
  FillRect(image,
           Around(c.x, c.y, static_cast<int>(fraction * box.width / 2.0),
                  static_cast<int>(fraction * box.height / 2.0)),
           kFill);
}

}  // namespace

const std::vector<Op>& AllOps() {
  static const std::vector<Op>* const ops = [] {
    auto* all = new std::vector<Op>;
    for (const OpInfo& info : kOps) all->push_back(info.op);
    return all;
  }();
  return *ops;
}

absl::string_view OpName(Op op) { return Info(op).name; }
OpKind KindOf(Op op) { return Info(op).kind; }

absl::StatusOr<Op> OpFromName(absl::string_view name) {
  for (const OpInfo& info : kOps) {
    if (name == info.name) return info.op;
  }
  std::vector<std::string> names;
  for (const OpInfo& info : kOps) names.push_back(info.name);
  return absl::NotFoundError(absl::StrCat("unknown augmentation op '", name, "'; known ops: ",
                                          absl::StrJoin(names, ", ")));
}

double OpArgument(Op op, double level, const PixelConstants& constants) {
  const double t = level / kMaxLevel;
  // NOTE: int() truncations as in the reference, so that the same levels give the
  // same integer arguments.
  auto truncated = [](double v) { return static_cast<double>(static_cast<int64_t>(v)); };
  switch (op) {
    case Op::kPosterize: return truncated(t * 4);
    case Op::kSolarize:
    case Op::kSolarizeOnlyBBoxes: return truncated(t * 256);
    case Op::kSolarizeAdd: return truncated(t * 110);
    case Op::kColor:
    case Op::kContrast:
    case Op::kBrightness:
    case Op::kSharpness: return t * 1.8 + 0.1;
    case Op::kCutout: return truncated(t * constants.cutout);
    case Op::kBBoxCutout: return t * 0.75;
    case Op::kCutoutOnlyBBoxes: return truncated(t * constants.cutout_bbox);
    case Op::kRotateBBox:
    case Op::kRotateOnlyBBoxes: return t * 30.0;
    case Op::kShearXBBox:
    case Op::kShearYBBox:
    case Op::kShearXOnlyBBoxes:
    case Op::kShearYOnlyBBoxes: return t * 0.3;
    case Op::kTranslateXBBox:
    case Op::kTranslateYBBox: return truncated(t * constants.translate);
    case Op::kTranslateXOnlyBBoxes:
    case Op::kTranslateYOnlyBBoxes: return truncated(t * constants.translate_bbox);
    default: return 0.0;
  }
}

bool HasRandomSign(Op op) {
  switch (op) {
    case Op::kRotateBBox:
    case Op::kShearXBBox:
    case Op::kShearYBBox:
    case Op::kTranslateXBBox:
    case Op::kTranslateYBBox:
    case Op::kRotateOnlyBBoxes:
    case Op::kShearXOnlyBBoxes:
    case Op::kShearYOnlyBBoxes:
    case Op::kTranslateXOnlyBBoxes:
    case Op::kTranslateYOnlyBBoxes: return true;
    default: return false;
  }
}

bool DrawCall(const PolicyStep& step, const PixelConstants& constants, Rng& rng, OpCall& call) {
  const bool per_box = KindOf(step.op) == OpKind::kPerBox;
  if (!per_box && !rng.Bernoulli(step.probability)) return false;
  call.op = step.op;
  call.argument = OpArgument(step.op, step.level, constants);
  if (HasRandomSign(step.op) && rng.Bernoulli(0.5)) call.argument = -call.argument;
  call.box_probability = per_box ? step.probability / kPerBoxProbabilityDivisor : 1.0;
  return true;
}

void ApplyCall(Sample& sample, const OpCall& call, Rng& rng) {
  // NOTE: a copy, since ops write in place and the input may share its memory
  // (a dataset's cached image).
  sample.image = sample.image.clone(at::MemoryFormat::Contiguous);
  cv::Mat image = WrapBytes(sample.image);
  if (image.empty()) return;
  switch (KindOf(call.op)) {
    case OpKind::kColor:
      ApplyColor(image, call.op, call.argument);
      break;
    case OpKind::kCutout:
      if (call.op == Op::kCutout) {
        const int half = static_cast<int>(call.argument);
        const cv::Point c = DrawPixel(cv::Rect(0, 0, image.cols, image.rows), rng);
        FillRect(image, Around(c.x, c.y, half, half), kFill);
      } else {
        ApplyBBoxCutout(sample, image, call.argument, rng);
      }
      break;
    case OpKind::kGeometric:
      WarpSampleAffine(sample, GeometricMap(call.op, call.argument, image.cols, image.rows));
      break;
    case OpKind::kPerBox:
      ApplyPerBox(sample, image, call, rng);
      break;
  }
}

}  // namespace stlab::augment
