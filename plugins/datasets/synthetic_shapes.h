// The built-in synthetic dataset: images of geometric objects (square, circle,
// triangle, ellipse, cross, ring) with colours, textures, cluttered backgrounds,
// occlusion and pixel noise, generated on the fly and bit-identical on every machine.
//
// Labels of a sample:
//   - boxes [M, 4] float32 (x1, y1, x2, y2), the tight box of the instance's VISIBLE
//     pixels, x2 and y2 exclusive (x2 = max visible x + 1);
//   - labels [M] int64 in [0, num_classes), indexing DatasetInfo::class_names (the
//     object classes only, no background entry);
//   - mask [H, W] uint8 in the PASCAL convention: 0 = background, k + 1 = object class
//     k, kIgnoreLabel (255) = visible pixels of an instance that was dropped for being
//     less than `min_visible_fraction` visible (an object that is neither a box nor
//     background). A segmentation model thus has num_classes + 1 outputs.
// The "unlabeled" split has labels like the others; the engine decides not to use them
// (they make it possible to measure pseudo-label quality).
#ifndef STLAB_PLUGINS_DATASETS_SYNTHETIC_SHAPES_H_
#define STLAB_PLUGINS_DATASETS_SYNTHETIC_SHAPES_H_

#include <cstdint>
#include <iterator>
#include <string>

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/dataset.h"
#include "registry/param.h"

namespace stlab::datasets {

/// Object classes in label order; a dataset with num_classes = n uses the first n.
inline constexpr const char* kShapeClassNames[] = {"square",  "circle", "triangle",
                                                   "ellipse", "cross",  "ring"};
inline constexpr int64_t kMaxShapeClasses = std::size(kShapeClassNames);

/// What to generate. Registry parameters of the same names set these (see
/// SyntheticShapesParams); Validate() checks what a single parameter cannot.
struct SyntheticShapesOptions {
  int64_t image_size = 128;           ///< Images are image_size x image_size pixels.
  int64_t num_images = 512;           ///< Size() of the dataset.
  int64_t min_objects = 1;            ///< Objects drawn per image, uniform in [min, max]
  int64_t max_objects = 4;            ///< (fewer survive occlusion or a failed placement).
  double min_scale = 0.1;             ///< Object diameter as a fraction of image_size,
  double max_scale = 0.5;             ///< uniform in [min_scale, max_scale].
  bool occlusion = true;              ///< Objects may overlap (later drawn over earlier).
  int64_t clutter = 3;                ///< Distractor lines and blobs in the background.
  double noise_std = 8.0;             ///< Std of the pixel noise added last, in grey levels.
  int64_t num_classes = 6;            ///< Uses the first num_classes of kShapeClassNames.
  std::string split = "train";  ///< "train", "val", "test" or "unlabeled": disjoint streams.
  int64_t seed_offset = 0;            ///< Added to the stream key: another dataset, same run seed.
  double min_visible_fraction = 0.3;  ///< Instances less visible are dropped (mask 255).
  /// One object per image at the centre, fully visible (the classification variant).
  bool single_centered_object = false;
};

/// Checks the options as a whole, e.g. "min_objects (5) must be <= max_objects (2)".
absl::Status Validate(const SyntheticShapesOptions& options);

/// Parameter declarations of dataset "synthetic_shapes" (detection and segmentation).
ParamSpecs SyntheticShapesParams();
/// Parameter declarations of dataset "synthetic_shapes_classification".
ParamSpecs SyntheticShapesClassificationParams();
/// Options from validated parameters of either declaration (then Validate()d).
absl::StatusOr<SyntheticShapesOptions> SyntheticShapesOptionsFromParams(const Params& params,
                                                                        bool classification);

/// The synthetic dataset. Get(i) draws image i from its own stream
/// Rng(DeriveSeed({run seed, seed_offset, variant, split, i})), so it is thread-safe,
/// independent of access order and identical on every machine.
class SyntheticShapesDataset : public Dataset {
 public:
  /// `options` must pass Validate(); `seed` is the run seed (DatasetContext::seed).
  SyntheticShapesDataset(SyntheticShapesOptions options, uint64_t seed);

  int64_t Size() const override { return options_.num_images; }
  absl::StatusOr<Sample> Get(int64_t index) const override;
  const DatasetInfo& Info() const override { return info_; }

  const SyntheticShapesOptions& options() const { return options_; }

 private:
  SyntheticShapesOptions options_;
  uint64_t seed_;
  DatasetInfo info_;
};

namespace internal {

/// A generated image with its per-instance visibility map, for tests that check the
/// labels against what was drawn.
struct RenderedShapes {
  Sample sample;
  /// [H, W] uint8: j + 1 where instance j of sample.boxes is visible, 0 elsewhere
  /// (background and dropped instances).
  at::Tensor instance_ids;
};

/// Draws image `index` of the dataset (what Get() returns, plus instance_ids).
RenderedShapes RenderSyntheticShapes(const SyntheticShapesOptions& options, uint64_t seed,
                                     int64_t index);

}  // namespace internal
}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_SYNTHETIC_SHAPES_H_
