// Synthetic shapes: drawing with OpenCV straight into the sample's tensors.
#include "plugins/datasets/synthetic_shapes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "core/rng.h"
#include "core/status.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace stlab::datasets {
namespace {

// NOTE: every random number comes from stlab::Rng and all geometry uses only +, -, *,
// / and sqrt (exactly rounded in IEEE 754), integer pixel coordinates and OpenCV's
// integer rasterisers, so an image is bit-identical on every machine. Rotations are
// random unit vectors, not sin/cos of a random angle, for that reason.

// In the order of kShapeClassNames.
enum ShapeClass : int64_t { kSquare, kCircle, kTriangle, kEllipse, kCross, kRing };

constexpr uint64_t kDetectionVariantKey = 0x5348415045535f44;       // "SHAPES_D"
constexpr uint64_t kClassificationVariantKey = 0x5348415045535f43;  // "SHAPES_C"
constexpr int kPlacementTries = 30;

uint64_t SplitKey(const std::string& split) {
  if (split == "train") return 1;
  if (split == "val") return 2;
  if (split == "test") return 4;
  return 3;  // "unlabeled"; the parameter declaration admits nothing else.
}

struct Direction {
  double c;
  double s;
};

// A uniformly random unit vector, by rejection from the square.
Direction RandomDirection(Rng& rng) {
  while (true) {
    const double x = rng.Uniform(-1.0, 1.0);
    const double y = rng.Uniform(-1.0, 1.0);
    const double n2 = x * x + y * y;
    if (n2 > 0.01 && n2 <= 1.0) {
      const double n = std::sqrt(n2);
      return {x / n, y / n};
    }
  }
}

// NOTE: draws are separate statements, never several arguments of one call, whose
// evaluation order C++ leaves unspecified (GCC and Clang differ).
cv::Vec3b RandomColor(Rng& rng) {
  cv::Vec3b color;
  for (int k = 0; k < 3; ++k) color[k] = static_cast<uint8_t>(rng.UniformInt(0, 255));
  return color;
}

// A strictly increasing function of the angle of a unit vector, in [0, 4), without
// atan2 (the "diamond angle").
double PseudoAngle(const Direction& d) {
  if (d.s >= 0) return d.c >= 0 ? d.s / (d.c + d.s) : 1.0 - d.c / (d.s - d.c);
  return d.c < 0 ? 2.0 - d.s / (-d.c - d.s) : 3.0 + d.c / (d.c - d.s);
}

cv::Scalar ToScalar(const cv::Vec3b& c) { return cv::Scalar(c[0], c[1], c[2]); }

uint8_t ClampToByte(double v) {
  return static_cast<uint8_t>(std::clamp(std::floor(v + 0.5), 0.0, 255.0));
}

// Approximately standard normal: a scaled Irwin-Hall sum of four 16-bit uniforms
// (integer arithmetic, no transcendental functions).
double StandardNormalish(Rng& rng) {
  const uint64_t bits = rng.NextU64();
  const double sum = static_cast<double>((bits & 0xffff) + ((bits >> 16) & 0xffff) +
                                         ((bits >> 32) & 0xffff) + (bits >> 48)) /
                     65536.0;
  return (sum - 2.0) * std::sqrt(3.0);
}

cv::Point Rounded(double x, double y) {
  return cv::Point(static_cast<int>(std::floor(x + 0.5)), static_cast<int>(std::floor(y + 0.5)));
}

cv::Point RandomPoint(Rng& rng, double lo, double hi) {
  const double x = rng.Uniform(lo, hi);
  const double y = rng.Uniform(lo, hi);
  return Rounded(x, y);
}

// Local polygon vertices (x, y) rotated by `d` and moved to (cx, cy).
std::vector<cv::Point> Place(const std::vector<std::array<double, 2>>& local, Direction d,
                             double cx, double cy) {
  std::vector<cv::Point> out;
  out.reserve(local.size());
  for (const auto& [x, y] : local)
    out.push_back(Rounded(cx + d.c * x - d.s * y, cy + d.s * x + d.c * y));
  return out;
}

void FillPolygon(cv::Mat& canvas, const std::vector<cv::Point>& points, const cv::Scalar& value) {
  const cv::Point* pts = points.data();
  const int n = static_cast<int>(points.size());
  cv::fillPoly(canvas, &pts, &n, 1, value, cv::LINE_8);
}

// Rasterises shape `cls` of circumscribed radius `r` at (cx, cy) into `canvas` (CV_8U)
// with value 255; draws nothing outside the circle of radius r + 1.
void DrawShape(ShapeClass cls, double cx, double cy, double r, Rng& rng, cv::Mat& canvas) {
  const cv::Scalar on(255);
  const Direction d = RandomDirection(rng);
  switch (cls) {
    case kSquare:
      FillPolygon(canvas, Place({{r, 0}, {0, r}, {-r, 0}, {0, -r}}, d, cx, cy), on);
      break;
    case kCircle:
      cv::circle(canvas, Rounded(cx, cy), static_cast<int>(r), on, cv::FILLED, cv::LINE_8);
      break;
    case kTriangle: {
      const double h = std::sqrt(3.0) / 2.0;
      std::vector<std::array<double, 2>> local = {{1.0, 0.0}, {-0.5, h}, {-0.5, -h}};
      for (auto& v : local) {
        const double f = r * rng.Uniform(0.8, 1.0);
        v = {v[0] * f, v[1] * f};
      }
      FillPolygon(canvas, Place(local, d, cx, cy), on);
      break;
    }
    case kEllipse: {
      const int a = static_cast<int>(r);
      const int b = std::max(1, static_cast<int>(r * rng.Uniform(0.35, 0.7)));
      const int angle = static_cast<int>(rng.UniformInt(0, 179));
      cv::ellipse(canvas, Rounded(cx, cy), cv::Size(a, b), angle, 0, 360, on, cv::FILLED,
                  cv::LINE_8);
      break;
    }
    case kCross: {
      const double a = 0.92 * r;  // Arm corners stay inside the circle of radius r.
      const double w = a * rng.Uniform(0.22, 0.38);
      FillPolygon(canvas,
                  Place({{w, a},
                         {w, w},
                         {a, w},
                         {a, -w},
                         {w, -w},
                         {w, -a},
                         {-w, -a},
                         {-w, -w},
                         {-a, -w},
                         {-a, w},
                         {-w, w},
                         {-w, a}},
                        d, cx, cy),
                  on);
      break;
    }
    case kRing: {
      const cv::Point center = Rounded(cx, cy);
      cv::circle(canvas, center, static_cast<int>(r), on, cv::FILLED, cv::LINE_8);
      cv::circle(canvas, center, std::max(1, static_cast<int>(r * rng.Uniform(0.45, 0.65))),
                 cv::Scalar(0), cv::FILLED, cv::LINE_8);
      break;
    }
  }
}

// How an object's pixels are coloured.
struct Texture {
  enum Kind { kSolid, kStripes, kNoise } kind;
  cv::Vec3b color;
  cv::Vec3b second;  // Stripes' other colour.
  Direction dir;     // Stripes' normal.
  double period;     // Stripes' period in pixels.
  double amplitude;  // Noise texture's half-range in grey levels.
};

Texture RandomTexture(Rng& rng) {
  Texture t;
  t.kind = static_cast<Texture::Kind>(rng.UniformInt(0, 2));
  t.color = RandomColor(rng);
  t.second = RandomColor(rng);
  t.dir = RandomDirection(rng);
  t.period = rng.Uniform(3.0, 9.0);
  t.amplitude = rng.Uniform(15.0, 45.0);
  return t;
}

cv::Vec3b TextureAt(const Texture& t, int x, int y, Rng& rng) {
  switch (t.kind) {
    case Texture::kSolid:
      return t.color;
    case Texture::kStripes: {
      const double u = (x * t.dir.c + y * t.dir.s) / t.period;
      return (static_cast<int64_t>(std::floor(u)) & 1) ? t.second : t.color;
    }
    case Texture::kNoise: {
      const double n = rng.Uniform(-t.amplitude, t.amplitude);
      return cv::Vec3b(ClampToByte(t.color[0] + n), ClampToByte(t.color[1] + n),
                       ClampToByte(t.color[2] + n));
    }
  }
  return t.color;
}

// A linear gradient between two random colours along a random direction.
void DrawBackground(cv::Mat& image, Rng& rng) {
  const cv::Vec3b c0 = RandomColor(rng);
  const cv::Vec3b c1 = RandomColor(rng);
  const Direction d = RandomDirection(rng);
  const double half = image.cols / 2.0;
  const double norm = half * 2.0;
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double t = std::clamp(((x - half) * d.c + (y - half) * d.s) / norm + 0.5, 0.0, 1.0);
      for (int k = 0; k < 3; ++k) row[x][k] = ClampToByte(c0[k] + (c1[k] - c0[k]) * t);
    }
  }
}

// Distractors that are no object class: straight lines, polylines and irregular blobs.
void DrawClutter(cv::Mat& image, int64_t count, Rng& rng) {
  const double size = image.cols;
  for (int64_t i = 0; i < count; ++i) {
    const cv::Scalar color = ToScalar(RandomColor(rng));
    const int64_t kind = rng.UniformInt(0, 2);
    if (kind == 0) {
      const cv::Point a = RandomPoint(rng, 0, size);
      const cv::Point b = RandomPoint(rng, 0, size);
      const int thickness = static_cast<int>(rng.UniformInt(1, 3));
      cv::line(image, a, b, color, thickness, cv::LINE_8);
    } else if (kind == 1) {
      std::vector<cv::Point> points = {RandomPoint(rng, 0, size)};
      const int64_t n = rng.UniformInt(3, 6);
      for (int64_t j = 1; j < n; ++j)
        points.push_back(points.back() + RandomPoint(rng, -0.25 * size, 0.25 * size));
      const int thickness = static_cast<int>(rng.UniformInt(1, 2));
      const cv::Point* pts = points.data();
      const int np = static_cast<int>(points.size());
      cv::polylines(image, &pts, &np, 1, false, color, thickness, cv::LINE_8);
    } else {
      // A star-shaped blob: random directions in angular order, random radii. Lumpy,
      // unlike any object class.
      const double cx = rng.Uniform(0, size);
      const double cy = rng.Uniform(0, size);
      const double r = size * rng.Uniform(0.03, 0.12);  // Smaller than most objects.
      std::vector<Direction> dirs(static_cast<size_t>(rng.UniformInt(6, 10)));
      for (Direction& d : dirs) d = RandomDirection(rng);
      std::sort(dirs.begin(), dirs.end(), [](const Direction& a, const Direction& b) {
        return PseudoAngle(a) < PseudoAngle(b);
      });
      std::vector<std::array<double, 2>> local;
      for (const Direction& d : dirs) {
        const double radius = r * rng.Uniform(0.4, 1.0);
        local.push_back({d.c * radius, d.s * radius});
      }
      const std::vector<cv::Point> points = Place(local, {1.0, 0.0}, cx, cy);
      const cv::Point* pts = points.data();
      const int np = static_cast<int>(points.size());
      cv::fillPoly(image, &pts, &np, 1, color, cv::LINE_8);
    }
  }
}

struct Placement {
  ShapeClass cls;
  double cx, cy, r;
};

// Draws the objects into `image` and their ids (1-based, in drawing order) into `ids`;
// returns the placements and each one's rasterised area inside the image.
std::vector<Placement> DrawObjects(const SyntheticShapesOptions& o, Rng& rng, cv::Mat& image,
                                   cv::Mat& ids, std::vector<int64_t>& areas) {
  const double size = static_cast<double>(o.image_size);
  const int64_t count = o.single_centered_object ? 1 : rng.UniformInt(o.min_objects, o.max_objects);
  std::vector<Placement> placed;
  cv::Mat shape(image.rows, image.cols, CV_8U);
  for (int64_t i = 0; i < count; ++i) {
    const auto cls = static_cast<ShapeClass>(rng.UniformInt(0, o.num_classes - 1));
    const double r = std::max(2.0, 0.5 * size * rng.Uniform(o.min_scale, o.max_scale));
    double cx = size / 2.0;
    double cy = size / 2.0;
    if (!o.single_centered_object) {
      // Centres keep at least 60% of the radius inside: objects may be truncated.
      const double lo = std::min(0.6 * r, size / 2.0);
      bool found = false;
      for (int attempt = 0; attempt < kPlacementTries && !found; ++attempt) {
        cx = rng.Uniform(lo, size - lo);
        cy = rng.Uniform(lo, size - lo);
        found = o.occlusion || std::none_of(placed.begin(), placed.end(), [&](const Placement& p) {
                  const double dx = p.cx - cx;
                  const double dy = p.cy - cy;
                  const double reach = p.r + r + 2.0;
                  return dx * dx + dy * dy < reach * reach;
                });
      }
      if (!found) continue;
    }
    const Texture texture = RandomTexture(rng);
    const int reach = static_cast<int>(r) + 2;
    const cv::Rect bounds = cv::Rect(static_cast<int>(cx) - reach, static_cast<int>(cy) - reach,
                                     2 * reach + 2, 2 * reach + 2) &
                            cv::Rect(0, 0, image.cols, image.rows);
    shape(bounds).setTo(0);
    DrawShape(cls, cx, cy, r, rng, shape);
    const auto id = static_cast<uint8_t>(placed.size() + 1);
    int64_t area = 0;
    for (int y = bounds.y; y < bounds.y + bounds.height; ++y) {
      const uint8_t* s = shape.ptr<uint8_t>(y);
      uint8_t* id_row = ids.ptr<uint8_t>(y);
      auto* pixels = image.ptr<cv::Vec3b>(y);
      for (int x = bounds.x; x < bounds.x + bounds.width; ++x) {
        if (s[x] == 0) continue;
        id_row[x] = id;
        pixels[x] = TextureAt(texture, x, y, rng);
        ++area;
      }
    }
    if (area == 0) continue;  // Too thin to rasterise; id unused, nothing drawn.
    placed.push_back({cls, cx, cy, r});
    areas.push_back(area);
  }
  return placed;
}

void AddNoise(cv::Mat& image, double std_dev, Rng& rng) {
  if (std_dev <= 0.0) return;
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      for (int k = 0; k < 3; ++k)
        row[x][k] = ClampToByte(row[x][k] + std_dev * StandardNormalish(rng));
    }
  }
}

cv::Mat Wrap(at::Tensor& t, int type) {
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), type, t.data_ptr());
}

ParamSpecs CommonParams(double min_scale, double max_scale) {
  return {
      ParamSpec::Int("image_size", 128, "side of the square images, in pixels").Range(16, 4096),
      ParamSpec::Int("num_images", 512, "number of images (Size() of the dataset)").Min(1),
      ParamSpec::Float("min_scale", min_scale,
                       "smallest object diameter, as a fraction of image_size")
          .Range(0.02, 1.0),
      ParamSpec::Float("max_scale", max_scale,
                       "largest object diameter, as a fraction of image_size")
          .Range(0.02, 1.0),
      ParamSpec::Int("clutter", 3, "distractor lines, polylines and blobs per image").Range(0, 256),
      ParamSpec::Float("noise_std", 8.0, "std of the pixel noise added last, in grey levels")
          .Range(0.0, 128.0),
      ParamSpec::Int("num_classes", kMaxShapeClasses,
                     "object classes used: the first n of square, circle, triangle, ellipse, "
                     "cross, ring")
          .Range(1, kMaxShapeClasses),
      ParamSpec::String("split", "train",
                        "which disjoint stream of images: train, val, test (held out for "
                        "judging claims: no setting is chosen on it) or unlabeled (labels are "
                        "filled in all; the engine uses them for unlabeled data only to "
                        "measure pseudo labels)")
          .OneOf({"train", "val", "test", "unlabeled"}),
      ParamSpec::Int("seed_offset", 0,
                     "added to the image streams' key: another dataset from the same run seed")
          .Min(0),
  };
}

}  // namespace

absl::Status Validate(const SyntheticShapesOptions& o) {
  if (o.image_size < 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("image_size (", o.image_size, ") must be >= 16"));
  }
  if (o.num_images < 1) {
    return absl::InvalidArgumentError(absl::StrCat("num_images (", o.num_images, ") must be >= 1"));
  }
  if (o.min_objects < 0 || o.max_objects < 1 || o.max_objects > 64) {
    return absl::InvalidArgumentError(absl::StrCat("min_objects (", o.min_objects,
                                                   ") must be >= 0 and max_objects (",
                                                   o.max_objects, ") in [1, 64]"));
  }
  if (o.min_objects > o.max_objects) {
    return absl::InvalidArgumentError(absl::StrCat(
        "min_objects (", o.min_objects, ") must be <= max_objects (", o.max_objects, ")"));
  }
  if (!(o.min_scale > 0.0 && o.min_scale <= o.max_scale && o.max_scale <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("min_scale (", o.min_scale,
                                                   ") must be in (0, max_scale (", o.max_scale,
                                                   ")] and max_scale <= 1"));
  }
  if (o.num_classes < 1 || o.num_classes > kMaxShapeClasses) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_classes (", o.num_classes, ") must be in [1, ", kMaxShapeClasses, "]"));
  }
  if (o.split != "train" && o.split != "val" && o.split != "test" && o.split != "unlabeled") {
    return absl::InvalidArgumentError(
        absl::StrCat("split '", o.split, "' must be one of train, val, test, unlabeled"));
  }
  if (o.clutter < 0 || o.noise_std < 0.0 || o.min_visible_fraction < 0.0 ||
      o.min_visible_fraction > 1.0) {
    return absl::InvalidArgumentError(
        "clutter and noise_std must be >= 0, min_visible_fraction in [0, 1]");
  }
  return absl::OkStatus();
}

ParamSpecs SyntheticShapesParams() {
  ParamSpecs specs = CommonParams(0.1, 0.5);
  specs.push_back(ParamSpec::Int("min_objects", 1, "fewest objects drawn per image").Range(0, 64));
  specs.push_back(ParamSpec::Int("max_objects", 4, "most objects drawn per image").Range(1, 64));
  specs.push_back(
      ParamSpec::Bool("occlusion", true,
                      "objects may overlap, later ones hiding earlier ones; false places "
                      "them apart (skipping one that does not fit)"));
  specs.push_back(ParamSpec::Float("min_visible_fraction", 0.3,
                                   "instances with less of their area visible are dropped "
                                   "(their pixels become 255 = ignore in the mask)")
                      .Range(0.0, 1.0));
  return specs;
}

ParamSpecs SyntheticShapesClassificationParams() { return CommonParams(0.3, 0.8); }

absl::StatusOr<SyntheticShapesOptions> SyntheticShapesOptionsFromParams(const Params& p,
                                                                        bool classification) {
  SyntheticShapesOptions o;
  o.image_size = p.GetInt("image_size");
  o.num_images = p.GetInt("num_images");
  o.min_scale = p.GetFloat("min_scale");
  o.max_scale = p.GetFloat("max_scale");
  o.clutter = p.GetInt("clutter");
  o.noise_std = p.GetFloat("noise_std");
  o.num_classes = p.GetInt("num_classes");
  o.split = p.GetString("split");
  o.seed_offset = p.GetInt("seed_offset");
  if (classification) {
    o.min_objects = 1;
    o.max_objects = 1;
    o.occlusion = false;
    o.min_visible_fraction = 0.0;
    o.single_centered_object = true;
  } else {
    o.min_objects = p.GetInt("min_objects");
    o.max_objects = p.GetInt("max_objects");
    o.occlusion = p.GetBool("occlusion");
    o.min_visible_fraction = p.GetFloat("min_visible_fraction");
  }
  STLAB_RETURN_IF_ERROR(Validate(o));
  return o;
}

SyntheticShapesDataset::SyntheticShapesDataset(SyntheticShapesOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed) {
  for (int64_t k = 0; k < options_.num_classes; ++k) {
    info_.class_names.push_back(kShapeClassNames[k]);
    info_.category_ids.push_back(k + 1);  // = the class's value in the mask.
  }
  info_.mask_class_names.push_back("background");
  info_.mask_class_names.insert(info_.mask_class_names.end(), info_.class_names.begin(),
                                info_.class_names.end());
  info_.has_boxes = true;
  info_.has_masks = true;
}

absl::StatusOr<Sample> SyntheticShapesDataset::Get(int64_t index) const {
  if (index < 0 || index >= options_.num_images) {
    return absl::OutOfRangeError(absl::StrCat("synthetic_shapes/", options_.split, ": index ",
                                              index, " not in [0, ", options_.num_images, ")"));
  }
  return internal::RenderSyntheticShapes(options_, seed_, index).sample;
}

namespace internal {

RenderedShapes RenderSyntheticShapes(const SyntheticShapesOptions& o, uint64_t seed,
                                     int64_t index) {
  Rng rng(DeriveSeed({seed, static_cast<uint64_t>(o.seed_offset),
                      o.single_centered_object ? kClassificationVariantKey : kDetectionVariantKey,
                      SplitKey(o.split), static_cast<uint64_t>(index)}));
  const int64_t size = o.image_size;
  RenderedShapes out;
  Sample& sample = out.sample;
  sample.image_id = index;
  sample.source = absl::StrCat(
      o.single_centered_object ? "synthetic_shapes_classification/" : "synthetic_shapes/", o.split,
      "/", index);
  // NOTE: OpenCV draws straight into the tensors' memory: no copy, and the tensors
  // own it (the cv::Mat headers below do not).
  sample.image = at::empty({size, size, 3}, at::kByte);
  at::Tensor draw_ids = at::zeros({size, size}, at::kByte);
  cv::Mat image = Wrap(sample.image, CV_8UC3);
  cv::Mat ids = Wrap(draw_ids, CV_8U);

  DrawBackground(image, rng);
  DrawClutter(image, o.clutter, rng);
  std::vector<int64_t> areas;
  const std::vector<Placement> placed = DrawObjects(o, rng, image, ids, areas);
  AddNoise(image, o.noise_std, rng);

  // Visible pixels and tight box per drawn instance.
  const size_t n = placed.size();
  std::vector<int64_t> visible(n, 0);
  std::vector<std::array<int, 4>> box(n, {static_cast<int>(size), static_cast<int>(size), -1, -1});
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = ids.ptr<uint8_t>(y);
    for (int x = 0; x < size; ++x) {
      if (row[x] == 0) continue;
      const size_t j = row[x] - 1;
      ++visible[j];
      box[j] = {std::min(box[j][0], x), std::min(box[j][1], y), std::max(box[j][2], x),
                std::max(box[j][3], y)};
    }
  }
  // Drawn id (1-based) -> mask value and kept-instance id.
  std::array<uint8_t, 256> mask_of{};
  std::array<uint8_t, 256> kept_of{};
  std::vector<float> boxes;
  std::vector<int64_t> labels;
  for (size_t j = 0; j < n; ++j) {
    const bool keep = visible[j] > 0 && static_cast<double>(visible[j]) >=
                                            o.min_visible_fraction * static_cast<double>(areas[j]);
    if (!keep) {
      mask_of[j + 1] = kIgnoreLabel;
      continue;
    }
    labels.push_back(placed[j].cls);
    mask_of[j + 1] = static_cast<uint8_t>(placed[j].cls + 1);
    kept_of[j + 1] = static_cast<uint8_t>(labels.size());
    boxes.insert(boxes.end(),
                 {static_cast<float>(box[j][0]), static_cast<float>(box[j][1]),
                  static_cast<float>(box[j][2] + 1), static_cast<float>(box[j][3] + 1)});
  }
  sample.mask = at::empty({size, size}, at::kByte);
  out.instance_ids = at::empty({size, size}, at::kByte);
  const uint8_t* drawn = draw_ids.data_ptr<uint8_t>();
  uint8_t* mask = sample.mask.data_ptr<uint8_t>();
  uint8_t* kept = out.instance_ids.data_ptr<uint8_t>();
  for (int64_t i = 0; i < size * size; ++i) {
    mask[i] = mask_of[drawn[i]];
    kept[i] = kept_of[drawn[i]];
  }
  const auto m = static_cast<int64_t>(labels.size());
  sample.boxes = at::from_blob(boxes.data(), {m, 4}, at::kFloat).clone();
  sample.labels = at::from_blob(labels.data(), {m}, at::kLong).clone();
  return out;
}

}  // namespace internal
}  // namespace stlab::datasets
