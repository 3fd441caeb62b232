// Pseudo labels in formats a researcher can audit with ordinary tools: COCO JSON
// for boxes, PNG label maps for masks, and a few images drawn with their labels.
#ifndef STLAB_CORE_ENGINE_PSEUDO_LABEL_EXPORT_H_
#define STLAB_CORE_ENGINE_PSEUDO_LABEL_EXPORT_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "core/dataset.h"
#include "core/engine/pseudo_labels.h"
#include "core/export.h"

namespace stlab {

/// The files of one pseudo-labeling in its folder; the one place their names are
/// spelled.
struct PseudoLabelFiles {
  explicit PseudoLabelFiles(std::filesystem::path dir) : dir(std::move(dir)) {}
  std::filesystem::path dir;
  /// The labels as the student reads them (ReadPseudoLabels); written last, so its
  /// presence means the labeling finished.
  std::filesystem::path labels() const { return dir / "pseudo_labels.pt"; }
  /// PseudoLabelSummaryJson.
  std::filesystem::path summary() const { return dir / "pseudo_labels_summary.json"; }
  /// Detection: COCO instances JSON (images, annotations with bbox [x, y, w, h] and
  /// the teacher's score, categories), provenance under "info".
  std::filesystem::path coco_json() const { return dir / "pseudo_labels.json"; }
  /// Segmentation: one 8-bit PNG label map per kept image, <image_id>.png, pixel
  /// value = class (mask_class_names), 255 = ignore.
  std::filesystem::path masks() const { return dir / "pseudo_masks"; }
  /// The first kept images drawn with their pseudo labels, <image_id>.png.
  std::filesystem::path drawn() const { return dir / "pseudo_labels_drawn"; }
};

/// The COCO instances JSON of detection pseudo labels: image i of `unlabeled` at
/// set.indices[k] becomes an "images" entry (id = its image_id, file_name = its
/// source, width, height); every box an annotation with category_id =
/// info.category_ids[label], bbox [x, y, w, h], area, iscrowd 0 and score.
STLAB_API absl::StatusOr<std::string> PseudoLabelsCocoJson(const PseudoLabelSet& set,
                                                           const Dataset& unlabeled,
                                                           const DatasetInfo& info);

/// Writes the audit files of `set` into `files` (each atomically): the COCO JSON
/// (detection) or the PNG label maps (segmentation), and the first `num_drawn`
/// kept images drawn with their labels. `info` names the classes (the teacher's
/// training data).
STLAB_API absl::Status ExportPseudoLabels(const PseudoLabelSet& set, const Dataset& unlabeled,
                                          const DatasetInfo& info, int64_t num_drawn,
                                          const PseudoLabelFiles& files);

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_PSEUDO_LABEL_EXPORT_H_
