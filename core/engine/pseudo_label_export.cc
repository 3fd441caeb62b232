// COCO JSON, PNG label maps and drawings of pseudo labels.
#include "core/engine/pseudo_label_export.h"

#include <algorithm>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/data/drawing.h"
#include "core/engine/metrics_log.h"
#include "core/status.h"

namespace stlab {
namespace {

std::string ImageFileName(int64_t image_id) { return absl::StrFormat("%06d.png", image_id); }

}  // namespace

absl::StatusOr<std::string> PseudoLabelsCocoJson(const PseudoLabelSet& set,
                                                 const Dataset& unlabeled,
                                                 const DatasetInfo& info) {
  if (set.scores.size() != set.labels.size()) {
    return absl::InvalidArgumentError(absl::StrCat("pseudo labels: ", set.labels.size(),
                                                   " labeled images but ", set.scores.size(),
                                                   " score lists"));
  }
  std::vector<std::string> images;
  std::vector<std::string> annotations;
  int64_t annotation_id = 0;
  for (size_t k = 0; k < set.labels.size(); ++k) {
    STLAB_ASSIGN_OR_RETURN(const Sample image, unlabeled.Get(set.indices[k]));
    images.push_back(absl::StrCat("{\"id\": ", image.image_id,
                                  ", \"file_name\": ", JsonString(image.source),
                                  ", \"width\": ", image.image.size(1),
                                  ", \"height\": ", image.image.size(0), "}"));
    const Sample& label = set.labels[k];
    const at::Tensor boxes = label.boxes.to(at::kDouble).contiguous();
    for (int64_t i = 0; i < boxes.size(0); ++i) {
      const int64_t cls = label.labels[i].item<int64_t>();
      if (cls < 0 || cls >= static_cast<int64_t>(info.category_ids.size())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pseudo label of image ", image.image_id, ": class ", cls, " has no category id (",
            info.category_ids.size(), " classes)"));
      }
      const double* b = boxes[i].data_ptr<double>();
      const double w = b[2] - b[0];
      const double h = b[3] - b[1];
      annotations.push_back(absl::StrCat(
          "{\"id\": ", ++annotation_id, ", \"image_id\": ", image.image_id,
          ", \"category_id\": ", info.category_ids[static_cast<size_t>(cls)],
          ", \"bbox\": [", JsonNumber(b[0]), ", ", JsonNumber(b[1]), ", ", JsonNumber(w), ", ",
          JsonNumber(h), "], \"area\": ", JsonNumber(w * h), ", \"iscrowd\": 0, \"score\": ",
          JsonNumber(set.scores[k][i].item<double>()), "}"));
    }
  }
  std::vector<std::string> categories;
  for (size_t c = 0; c < info.class_names.size() && c < info.category_ids.size(); ++c) {
    categories.push_back(absl::StrCat("{\"id\": ", info.category_ids[c],
                                      ", \"name\": ", JsonString(info.class_names[c]), "}"));
  }
  std::vector<std::string> provenance;
  for (const auto& [name, value] : set.provenance) {
    provenance.push_back(absl::StrCat(JsonString(name), ": ", JsonString(value)));
  }
  return absl::StrCat("{\"info\": {", absl::StrJoin(provenance, ", "), "},\n\"images\": [",
                      absl::StrJoin(images, ",\n"), "],\n\"annotations\": [",
                      absl::StrJoin(annotations, ",\n"), "],\n\"categories\": [",
                      absl::StrJoin(categories, ", "), "]}\n");
}

absl::Status ExportPseudoLabels(const PseudoLabelSet& set, const Dataset& unlabeled,
                                const DatasetInfo& info, int64_t num_drawn,
                                const PseudoLabelFiles& files) {
  const bool masks = !set.labels.empty() && set.labels.front().mask.defined();
  if (masks) {
    for (size_t k = 0; k < set.labels.size(); ++k) {
      STLAB_ASSIGN_OR_RETURN(const Sample image, unlabeled.Get(set.indices[k]));
      STLAB_ASSIGN_OR_RETURN(const std::string png, EncodePng(set.labels[k].mask.to(at::kByte)));
      STLAB_RETURN_IF_ERROR(
          WriteFileAtomically(files.masks() / ImageFileName(image.image_id), png));
    }
  } else {
    STLAB_ASSIGN_OR_RETURN(const std::string json, PseudoLabelsCocoJson(set, unlabeled, info));
    STLAB_RETURN_IF_ERROR(WriteFileAtomically(files.coco_json(), json));
  }
  const DrawingNames names{info.class_names, info.mask_class_names};
  const int64_t drawn = std::min<int64_t>(num_drawn, static_cast<int64_t>(set.labels.size()));
  for (int64_t k = 0; k < drawn; ++k) {
    STLAB_ASSIGN_OR_RETURN(Sample image, unlabeled.Get(set.indices[static_cast<size_t>(k)]));
    const Sample& label = set.labels[static_cast<size_t>(k)];
    image.boxes = label.boxes;
    image.labels = label.labels;
    image.mask = label.mask;
    STLAB_ASSIGN_OR_RETURN(const at::Tensor picture, DrawSample(image, names));
    STLAB_ASSIGN_OR_RETURN(const std::string png, EncodePng(picture));
    STLAB_RETURN_IF_ERROR(WriteFileAtomically(files.drawn() / ImageFileName(image.image_id), png));
  }
  return absl::OkStatus();
}

}  // namespace stlab
