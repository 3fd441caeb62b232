// COCO bbox evaluation (see coco_eval.h). Comments name the pycocotools step
// each part reproduces (cocoeval.py, and maskApi.c for the IoU).
//
// Layout: the ground truth is grouped once by (category, image). Each Evaluate()
// groups the detections the same way, then handles one category at a time
// (matching, then accumulation) with per-thread scratch buffers, so nothing is
// allocated per detection. Categories are independent, which makes threading
// deterministic. Matching keeps, per detection and area range, one word with a
// true-positive bit and an ignore bit per IoU threshold.
#include "plugins/evaluation/coco/coco_eval.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace stlab::coco {
namespace internal {

/// A ground-truth box as matching needs it.
struct GtBox {
  Box box;
  double area;
  bool crowd;
  bool can_match;  // id != 0; see Annotation::id.
};

/// The boxes of one (category, image) pair: [begin, end) into a box array.
struct Cell {
  uint32_t image;
  uint32_t begin;
  uint32_t end;
};

struct GroundTruthIndex {
  std::vector<int64_t> image_ids;     // Ascending; position = image index.
  std::vector<int64_t> category_ids;  // Ascending; position = category index.
  std::vector<GtBox> boxes;           // By (category, image), file order within.
  std::vector<Cell> cells;            // Non-empty cells, by (category, image).
  std::vector<uint32_t> category_cells;  // K + 1 offsets into `cells`.
  /// Per category and area range: GT that count as positives (pycocotools' npig).
  std::vector<std::array<uint32_t, kNumAreaRanges>> num_positives;
};

}  // namespace internal
namespace {

using internal::Cell;
using internal::GroundTruthIndex;
using internal::GtBox;

constexpr int kT = kNumIouThresholds;
constexpr int kR = kNumRecallThresholds;
constexpr int kA = kNumAreaRanges;
constexpr int kM = kNumMaxDets;
constexpr int kMaxDetsPerCell = kMaxDets[kM - 1];
constexpr uint32_t kNoCategory = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kIgnoreShift = 16;
constexpr uint32_t kAllThresholds = (1u << kT) - 1;
static_assert(kT <= 16 && kMaxDetsPerCell < 256);
static_assert(kIouThresholds[0] == 0.5 && kIouThresholds[5] == 0.75,
              "kStatSpecs' AP50/AP75 indices");

// Position of `id` in the ascending `ids`, or -1.
int64_t IndexOf(const std::vector<int64_t>& ids, int64_t id) {
  const auto it = std::lower_bound(ids.begin(), ids.end(), id);
  return (it != ids.end() && *it == id) ? it - ids.begin() : -1;
}

// What is wrong with `box`, or "" if nothing is.
std::string_view BoxProblem(const Box& box) {
  if (!std::isfinite(box.x) || !std::isfinite(box.y) ||
      !std::isfinite(box.width) || !std::isfinite(box.height)) {
    return "bbox is not finite";
  }
  if (box.width < 0 || box.height < 0) return "bbox has a negative width or height";
  return "";
}

// Ascending ids; fails on a duplicate.
absl::StatusOr<std::vector<int64_t>> SortedUniqueIds(std::vector<int64_t> ids,
                                                      std::string_view kind) {
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate ", kind, " id ", *dup));
  }
  return ids;
}

// Item indices ordered by (category, image), original order within a group,
// leaving out items of category kNoCategory; plus K + 1 offsets per category.
struct Grouping {
  std::vector<uint32_t> order;
  std::vector<uint32_t> category_begin;
};

// Two stable counting-sort passes (image, then category): linear time.
Grouping GroupByCategoryAndImage(std::span<const uint32_t> category,
                                 std::span<const uint32_t> image,
                                 size_t num_categories, size_t num_images) {
  std::vector<uint32_t> image_begin(num_images + 1, 0);
  Grouping grouping;
  grouping.category_begin.assign(num_categories + 1, 0);
  for (size_t i = 0; i < category.size(); ++i) {
    if (category[i] == kNoCategory) continue;
    ++image_begin[image[i] + 1];
    ++grouping.category_begin[category[i] + 1];
  }
  std::partial_sum(image_begin.begin(), image_begin.end(), image_begin.begin());
  std::partial_sum(grouping.category_begin.begin(), grouping.category_begin.end(),
                   grouping.category_begin.begin());
  std::vector<uint32_t> by_image(image_begin.back());
  for (uint32_t i = 0; i < category.size(); ++i) {
    if (category[i] != kNoCategory) by_image[image_begin[image[i]]++] = i;
  }
  grouping.order.resize(by_image.size());
  std::vector<uint32_t> next(grouping.category_begin.begin(),
                             grouping.category_begin.end() - 1);
  for (const uint32_t i : by_image) grouping.order[next[category[i]]++] = i;
  return grouping;
}

bool InRange(double area, int a) {
  return area >= kAreaRanges[a][0] && area <= kAreaRanges[a][1];
}

// maskApi.c bbIou, operation for operation; for crowd GT the union is the
// detection's own area.
double BoxIou(const Box& d, const Box& g, bool crowd) {
  const double w = std::min(d.width + d.x, g.width + g.x) - std::max(d.x, g.x);
  if (w <= 0) return 0;
  const double h = std::min(d.height + d.y, g.height + g.y) - std::max(d.y, g.y);
  if (h <= 0) return 0;
  const double inter = w * h;
  const double det_area = d.width * d.height;
  const double uni = crowd ? det_area : det_area + g.width * g.height - inter;
  return inter / uni;
}

// numpy's pairwise summation (np.add.reduce over a contiguous float64 array),
// which np.mean's last bits depend on.
double PairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= 128) {
    double r[8];
    std::copy(a, a + 8, r);
    size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  size_t half = n / 2;
  half -= half % 8;
  return PairwiseSum(a, half) + PairwiseSum(a + half, n - half);
}

size_t PrecisionIndex(int t, int r, size_t k, size_t num_categories, int a, int m) {
  return ((((static_cast<size_t>(t) * kR + r) * num_categories + k) * kA + a) * kM) + m;
}

size_t RecallIndex(int t, size_t k, size_t num_categories, int a, int m) {
  return (((static_cast<size_t>(t) * num_categories + k) * kA + a) * kM) + m;
}

// Buffers one thread reuses from category to category.
struct Scratch {
  // Kept detections of the current category, by (image, rank).
  std::vector<uint32_t> det_index;  // Into the detections span.
  std::vector<double> det_score;
  std::vector<uint8_t> det_rank;  // Rank by score within its image.
  std::vector<std::array<uint32_t, kA>> det_status;  // TP bits | ignore bits << 16.
  std::vector<Cell> det_cells;
  std::vector<uint32_t> score_order;
  // Matching of one cell.
  struct Candidate {
    uint32_t gt;
    double iou;
  };
  std::vector<Candidate> candidates;
  std::vector<uint32_t> candidate_begin;
  std::vector<uint8_t> gt_ignored;
  std::vector<uint16_t> gt_matched;  // One bit per IoU threshold.
  // Accumulation: precision at each true positive, per IoU threshold.
  std::array<std::vector<double>, kT> tp_precision;
};

// evaluateImg() for one (image, category) and every area range: greedy matching
// of the score-sorted detections `det_index` to `gts`, per IoU threshold.
void MatchCell(std::span<const GtBox> gts, std::span<const Detection> detections,
               std::span<const uint32_t> det_index,
               std::span<std::array<uint32_t, kA>> status, Scratch& s) {
  const size_t num_dets = det_index.size();
  // computeIoU(); a pair below the lowest threshold can never match, so only
  // the others are kept (skipping them does not change any decision below).
  s.candidates.clear();
  s.candidate_begin.resize(num_dets + 1);
  for (size_t d = 0; d < num_dets; ++d) {
    s.candidate_begin[d] = static_cast<uint32_t>(s.candidates.size());
    const Box& box = detections[det_index[d]].bbox;
    for (uint32_t g = 0; g < gts.size(); ++g) {
      const double iou = BoxIou(box, gts[g].box, gts[g].crowd);
      if (iou >= kIouThresholds[0]) s.candidates.push_back({g, iou});
    }
  }
  s.candidate_begin[num_dets] = static_cast<uint32_t>(s.candidates.size());

  s.gt_ignored.resize(gts.size());
  s.gt_matched.resize(gts.size());
  for (int a = 0; a < kA; ++a) {
    // gt['_ignore']: crowd (pycocotools sets ignore := iscrowd) or out of range.
    for (size_t g = 0; g < gts.size(); ++g) {
      s.gt_ignored[g] = gts[g].crowd || !InRange(gts[g].area, a);
      s.gt_matched[g] = 0;
    }
    for (size_t d = 0; d < num_dets; ++d) {
      const Box& box = detections[det_index[d]].bbox;
      // Unmatched detections outside the area range are ignored; a detection's
      // area is width * height (loadRes).
      const bool out_of_range = !InRange(box.width * box.height, a);
      const std::span<const Scratch::Candidate> cands(
          s.candidates.data() + s.candidate_begin[d],
          s.candidates.data() + s.candidate_begin[d + 1]);
      if (cands.empty()) {
        status[d][a] = out_of_range ? kAllThresholds << kIgnoreShift : 0;
        continue;
      }
      uint32_t word = 0;
      for (int t = 0; t < kT; ++t) {
        const uint16_t bit = static_cast<uint16_t>(1u << t);
        // pycocotools scans the GT with ignored ones last, takes the last GT with
        // the highest IoU >= threshold, skips matched non-crowd GT, and stops at
        // the first ignored GT once a regular one matched: regular GT first.
        int best = -1;
        double best_iou = kIouThresholds[t];
        for (const auto& c : cands) {
          if (s.gt_ignored[c.gt] || (s.gt_matched[c.gt] & bit)) continue;
          if (c.iou >= best_iou) {
            best_iou = c.iou;
            best = static_cast<int>(c.gt);
          }
        }
        if (best < 0) {
          for (const auto& c : cands) {
            if (!s.gt_ignored[c.gt] || ((s.gt_matched[c.gt] & bit) && !gts[c.gt].crowd)) {
              continue;
            }
            if (c.iou >= best_iou) {
              best_iou = c.iou;
              best = static_cast<int>(c.gt);
            }
          }
        }
        const bool matched = best >= 0 && gts[best].can_match;
        if (best >= 0) s.gt_matched[best] |= bit;
        if ((best >= 0 && s.gt_ignored[best]) || (!matched && out_of_range)) {
          word |= uint32_t{bit} << kIgnoreShift;
        } else if (matched) {
          word |= bit;
        }
      }
      status[d][a] = word;
    }
  }
}

// accumulate() for one category: precision/recall for every (area, max-dets,
// IoU threshold), written into the [T][R][K][A][M] and [T][K][A][M] arrays.
void AccumulateCategory(const GroundTruthIndex& index, size_t k, Scratch& s,
                        std::vector<double>& precision, std::vector<double>& recall) {
  const size_t num_categories = index.category_ids.size();
  // Detections of all images, best score first; ties keep image order, then
  // rank (np.argsort(-scores, kind='mergesort') over the concatenation).
  s.score_order.resize(s.det_index.size());
  std::iota(s.score_order.begin(), s.score_order.end(), 0u);
  std::sort(s.score_order.begin(), s.score_order.end(), [&s](uint32_t i, uint32_t j) {
    return s.det_score[i] > s.det_score[j] || (s.det_score[i] == s.det_score[j] && i < j);
  });
  for (int a = 0; a < kA; ++a) {
    const uint32_t num_positives = index.num_positives[k][a];
    if (num_positives == 0) continue;  // Stays -1, as pycocotools.
    const double npig = num_positives;
    for (int m = 0; m < kM; ++m) {
      // Cumulative TP/FP counts; ignored detections count as neither. Only the
      // precision at true positives is kept: the interpolated precision at a
      // recall level is a maximum over positions from a TP on (or from 0),
      // and it is always attained at a TP.
      std::array<double, kT> tp{};
      std::array<double, kT> fp{};
      for (auto& p : s.tp_precision) p.clear();
      for (const uint32_t j : s.score_order) {
        if (s.det_rank[j] >= kMaxDets[m]) continue;
        const uint32_t word = s.det_status[j][a];
        for (int t = 0; t < kT; ++t) {
          if (word & (1u << (t + kIgnoreShift))) continue;
          if (word & (1u << t)) {
            tp[t] += 1;
            s.tp_precision[t].push_back(
                tp[t] / (fp[t] + tp[t] + std::numeric_limits<double>::epsilon()));
          } else {
            fp[t] += 1;
          }
        }
      }
      for (int t = 0; t < kT; ++t) {
        recall[RecallIndex(t, k, num_categories, a, m)] = tp[t] / npig;
        std::vector<double>& p = s.tp_precision[t];
        for (size_t i = p.size(); i-- > 1;) p[i - 1] = std::max(p[i - 1], p[i]);
        // np.searchsorted(rc, recThrs, side='left'): the first position whose
        // recall reaches the threshold; past the last TP, precision is 0.
        size_t c = 0;
        for (int r = 0; r < kR; ++r) {
          while (c < p.size() && static_cast<double>(c + 1) / npig < kRecallThresholds[r]) {
            ++c;
          }
          precision[PrecisionIndex(t, r, k, num_categories, a, m)] =
              c < p.size() ? p[c] : 0.0;
        }
      }
    }
  }
}

// Per-image top-100 selection, matching and accumulation for category `k`.
// `dets` holds the category's detection indices by (image, file order); each
// image's run is sorted in place.
void EvaluateCategory(const GroundTruthIndex& index, size_t k,
                      std::span<const Detection> detections,
                      std::span<const uint32_t> image_of, std::span<uint32_t> dets,
                      Scratch& s, std::vector<double>& precision,
                      std::vector<double>& recall) {
  s.det_index.clear();
  s.det_score.clear();
  s.det_rank.clear();
  s.det_cells.clear();
  // evaluateImg(): per image, best score first (ties in file order), top 100.
  for (size_t begin = 0; begin < dets.size();) {
    const uint32_t image = image_of[dets[begin]];
    size_t end = begin;
    while (end < dets.size() && image_of[dets[end]] == image) ++end;
    std::sort(dets.begin() + begin, dets.begin() + end,
              [&detections](uint32_t i, uint32_t j) {
                return detections[i].score > detections[j].score ||
                       (detections[i].score == detections[j].score && i < j);
              });
    const size_t kept = std::min<size_t>(end - begin, kMaxDetsPerCell);
    const auto cell_begin = static_cast<uint32_t>(s.det_index.size());
    for (size_t r = 0; r < kept; ++r) {
      const uint32_t i = dets[begin + r];
      s.det_index.push_back(i);
      s.det_score.push_back(detections[i].score);
      s.det_rank.push_back(static_cast<uint8_t>(r));
    }
    s.det_cells.push_back({image, cell_begin, static_cast<uint32_t>(s.det_index.size())});
    begin = end;
  }
  s.det_status.resize(s.det_index.size());

  // Cells with detections; GT-only cells only count through num_positives.
  const Cell* gt_cell = index.cells.data() + index.category_cells[k];
  const Cell* gt_end = index.cells.data() + index.category_cells[k + 1];
  for (const Cell& cell : s.det_cells) {
    while (gt_cell != gt_end && gt_cell->image < cell.image) ++gt_cell;
    std::span<const GtBox> gts;
    if (gt_cell != gt_end && gt_cell->image == cell.image) {
      gts = std::span<const GtBox>(index.boxes.data() + gt_cell->begin,
                                   index.boxes.data() + gt_cell->end);
    }
    MatchCell(gts, detections,
              std::span<const uint32_t>(s.det_index).subspan(cell.begin, cell.end - cell.begin),
              std::span(s.det_status).subspan(cell.begin, cell.end - cell.begin), s);
  }
  AccumulateCategory(index, k, s, precision, recall);
}

// np.mean(s[s > -1]) over the values of `spec` for categories [k_begin, k_end),
// taken in pycocotools' (t, r, k) / (t, k) order; -1 when there are none.
double Summarize(const StatSpec& spec, size_t k_begin, size_t k_end,
                 size_t num_categories, const std::vector<double>& precision,
                 const std::vector<double>& recall, std::vector<double>& buffer) {
  buffer.clear();
  const int t_begin = spec.iou_index < 0 ? 0 : spec.iou_index;
  const int t_end = spec.iou_index < 0 ? kT : spec.iou_index + 1;
  const int a = spec.area_index;
  const int m = spec.max_dets_index;
  for (int t = t_begin; t < t_end; ++t) {
    if (spec.is_precision) {
      for (int r = 0; r < kR; ++r) {
        for (size_t k = k_begin; k < k_end; ++k) {
          const double v = precision[PrecisionIndex(t, r, k, num_categories, a, m)];
          if (v > -1) buffer.push_back(v);
        }
      }
    } else {
      for (size_t k = k_begin; k < k_end; ++k) {
        const double v = recall[RecallIndex(t, k, num_categories, a, m)];
        if (v > -1) buffer.push_back(v);
      }
    }
  }
  if (buffer.empty()) return -1;
  return PairwiseSum(buffer.data(), buffer.size()) / static_cast<double>(buffer.size());
}

}  // namespace

CocoEvaluator::CocoEvaluator(std::shared_ptr<const internal::GroundTruthIndex> index)
    : index_(std::move(index)) {}

const std::vector<int64_t>& CocoEvaluator::category_ids() const {
  return index_->category_ids;
}

absl::StatusOr<CocoEvaluator> CocoEvaluator::Create(const GroundTruth& ground_truth) {
  auto index = std::make_shared<GroundTruthIndex>();
  std::vector<int64_t> ids;
  ids.reserve(ground_truth.images.size());
  for (const Image& image : ground_truth.images) ids.push_back(image.id);
  STLAB_ASSIGN_OR_RETURN(index->image_ids, SortedUniqueIds(std::move(ids), "image"));
  ids.clear();
  for (const Category& category : ground_truth.categories) ids.push_back(category.id);
  STLAB_ASSIGN_OR_RETURN(index->category_ids,
                         SortedUniqueIds(std::move(ids), "category"));

  const std::vector<Annotation>& anns = ground_truth.annotations;
  if (anns.size() >= kNoCategory) {
    return absl::InvalidArgumentError("too many annotations");
  }
  std::vector<uint32_t> category(anns.size());
  std::vector<uint32_t> image(anns.size());
  for (size_t i = 0; i < anns.size(); ++i) {
    const Annotation& ann = anns[i];
    const int64_t img = IndexOf(index->image_ids, ann.image_id);
    std::string problem;
    if (img < 0) {
      problem = absl::StrCat("unknown image id ", ann.image_id);
    } else if (!BoxProblem(ann.bbox).empty()) {
      problem = BoxProblem(ann.bbox);
    } else if (!std::isfinite(ann.area) || ann.area < 0) {
      problem = absl::StrCat("area must be finite and >= 0, got ", ann.area);
    }
    if (!problem.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("annotation ", i, " (id ", ann.id, "): ", problem));
    }
    const int64_t cat = IndexOf(index->category_ids, ann.category_id);
    image[i] = static_cast<uint32_t>(img);
    category[i] = cat < 0 ? kNoCategory : static_cast<uint32_t>(cat);
  }

  const size_t num_categories = index->category_ids.size();
  const Grouping grouping = GroupByCategoryAndImage(category, image, num_categories,
                                                    index->image_ids.size());
  index->boxes.reserve(grouping.order.size());
  index->category_cells.assign(num_categories + 1, 0);
  index->num_positives.assign(num_categories, {});
  for (size_t k = 0; k < num_categories; ++k) {
    index->category_cells[k] = static_cast<uint32_t>(index->cells.size());
    for (uint32_t j = grouping.category_begin[k]; j < grouping.category_begin[k + 1]; ++j) {
      const Annotation& ann = anns[grouping.order[j]];
      const uint32_t img = image[grouping.order[j]];
      const auto pos = static_cast<uint32_t>(index->boxes.size());
      if (index->cells.size() == index->category_cells[k] ||
          index->cells.back().image != img) {
        index->cells.push_back({img, pos, pos});
      }
      ++index->cells.back().end;
      index->boxes.push_back({ann.bbox, ann.area, ann.iscrowd, ann.id != 0});
      for (int a = 0; a < kA; ++a) {
        index->num_positives[k][a] += !ann.iscrowd && InRange(ann.area, a);
      }
    }
  }
  index->category_cells[num_categories] = static_cast<uint32_t>(index->cells.size());
  return CocoEvaluator(std::move(index));
}

absl::StatusOr<EvalResult> CocoEvaluator::Evaluate(std::span<const Detection> detections,
                                                   const EvalOptions& options) const {
  const GroundTruthIndex& index = *index_;
  if (options.num_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_threads must be >= 1, got ", options.num_threads));
  }
  if (detections.size() >= kNoCategory) {
    return absl::InvalidArgumentError("too many detections");
  }
  std::vector<uint32_t> category(detections.size());
  std::vector<uint32_t> image(detections.size());
  for (size_t i = 0; i < detections.size(); ++i) {
    const Detection& det = detections[i];
    const int64_t img = IndexOf(index.image_ids, det.image_id);
    std::string problem;
    if (img < 0) {
      problem = absl::StrCat("image id ", det.image_id,
                             " is not in the ground truth (results do not "
                             "correspond to the COCO set)");
    } else if (!BoxProblem(det.bbox).empty()) {
      problem = BoxProblem(det.bbox);
    } else if (!std::isfinite(det.score)) {
      problem = "score is not finite";
    }
    if (!problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("detection ", i, ": ", problem));
    }
    const int64_t cat = IndexOf(index.category_ids, det.category_id);
    image[i] = static_cast<uint32_t>(img);
    category[i] = cat < 0 ? kNoCategory : static_cast<uint32_t>(cat);
  }

  const size_t num_categories = index.category_ids.size();
  Grouping grouping = GroupByCategoryAndImage(category, image, num_categories,
                                              index.image_ids.size());
  std::vector<double> precision(static_cast<size_t>(kT) * kR * num_categories * kA * kM, -1.0);
  std::vector<double> recall(static_cast<size_t>(kT) * num_categories * kA * kM, -1.0);

  std::atomic<size_t> next_category{0};
  const auto work = [&] {
    Scratch scratch;
    for (size_t k; (k = next_category.fetch_add(1)) < num_categories;) {
      const std::span<uint32_t> dets =
          std::span(grouping.order)
              .subspan(grouping.category_begin[k],
                       grouping.category_begin[k + 1] - grouping.category_begin[k]);
      EvaluateCategory(index, k, detections, image, dets, scratch, precision, recall);
    }
  };
  {
    std::vector<std::jthread> helpers;
    const size_t num_helpers =
        std::min<size_t>(options.num_threads, std::max<size_t>(num_categories, 1)) - 1;
    for (size_t i = 0; i < num_helpers; ++i) helpers.emplace_back(work);
    work();
  }

  EvalResult result;
  std::vector<double> buffer;
  for (int i = 0; i < kNumStats; ++i) {
    result.stats[i] = Summarize(kStatSpecs[i], 0, num_categories, num_categories,
                                precision, recall, buffer);
  }
  result.category_ids = index.category_ids;
  result.per_category_stats.resize(num_categories);
  for (size_t k = 0; k < num_categories; ++k) {
    for (int i = 0; i < kNumStats; ++i) {
      result.per_category_stats[k][i] = Summarize(kStatSpecs[i], k, k + 1, num_categories,
                                                  precision, recall, buffer);
    }
  }
  if (options.keep_arrays) {
    result.precision = std::move(precision);
    result.recall = std::move(recall);
  }
  return result;
}

absl::StatusOr<EvalResult> Evaluate(const GroundTruth& ground_truth,
                                    std::span<const Detection> detections,
                                    const EvalOptions& options) {
  STLAB_ASSIGN_OR_RETURN(CocoEvaluator evaluator, CocoEvaluator::Create(ground_truth));
  return evaluator.Evaluate(detections, options);
}

}  // namespace stlab::coco
