// Dataset interface: random access to samples plus the facts evaluators need.
#ifndef STLAB_CORE_DATASET_H_
#define STLAB_CORE_DATASET_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"
#include "core/sample.h"

namespace stlab {

/// Facts about a dataset that models and evaluators are built from.
struct DatasetInfo {
  /// Class names; a sample's label i is class_names[i].
  std::vector<std::string> class_names;
  /// External category id of class i (COCO's non-contiguous ids), same length.
  std::vector<int64_t> category_ids;
  bool has_boxes = false;
  bool has_masks = false;
  /// Names of the values of Sample.mask: value v is mask_class_names[v] (so the
  /// segmentation classes, usually "background" first). Empty without masks.
  std::vector<std::string> mask_class_names;
};

/// What a dataset is built from besides its parameters.
struct DatasetContext {
  /// Relative paths in the dataset's parameters are resolved against this folder
  /// (the folder of the config file that set them).
  std::filesystem::path base_dir;
  /// Run seed, for generated data and seeded subsets.
  uint64_t seed = 0;
};

/// A finite, indexable collection of samples.
class STLAB_API Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t Size() const = 0;

  /// Loads sample `index` in [0, Size()). Thread-safe. A broken sample (missing or
  /// corrupt file, box outside the image, unknown category) is an error that names
  /// the file and what was wrong.
  virtual absl::StatusOr<Sample> Get(int64_t index) const = 0;

  virtual const DatasetInfo& Info() const = 0;
};

}  // namespace stlab

#endif  // STLAB_CORE_DATASET_H_
