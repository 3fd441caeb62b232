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
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <system_error>
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
  std::vector<int64_t> image_ids;        // Ascending; position = image index.
  std::vector<int64_t> category_ids;     // Ascending; position = category index.
  std::vector<GtBox> boxes;              // By (category, image), file order within.
  std::vector<Cell> cells;               // Non-empty cells, by (category, image).
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
constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();  // No category/position.
constexpr uint32_t kIgnoreShift = 16;
constexpr uint32_t kAllThresholds = (1u << kT) - 1;
static_assert(kT <= 16 && kMaxDetsPerCell < 256);
static_assert(kIouThresholds[0] == 0.5 && kIouThresholds[5] == 0.75,
              "kStatSpecs' AP50/AP75 indices");

// Finds ids in an ascending id list. Remembers the last answer: consecutive
// entries of COCO files usually share an image.
class IdFinder {
 public:
  explicit IdFinder(const std::vector<int64_t>& ids) : ids_(ids) {}

  // Position of `id`, or -1.
  int64_t Find(int64_t id) {
    if (id != last_id_ || last_position_ == kUnset) {
      const auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
      last_position_ = (it != ids_.end() && *it == id) ? it - ids_.begin() : -1;
      last_id_ = id;
    }
    return last_position_;
  }

 private:
  static constexpr int64_t kUnset = -2;
  const std::vector<int64_t>& ids_;
  int64_t last_id_ = 0;
  int64_t last_position_ = kUnset;
};

// What is wrong with `box`, or "" if nothing is.
std::string_view BoxProblem(const Box& box) {
  if (!std::isfinite(box.x) || !std::isfinite(box.y) || !std::isfinite(box.width) ||
      !std::isfinite(box.height)) {
    return "bbox is not finite";
  }
  if (box.width < 0 || box.height < 0) return "bbox has a negative width or height";
  return "";
}

// Ascending ids; fails on a duplicate.
absl::StatusOr<std::vector<int64_t>> SortedUniqueIds(std::vector<int64_t> ids,
                                                     absl::string_view kind) {
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate ", kind, " id ", *dup));
  }
  return ids;
}

// Where each item goes when items are ordered by (category, image), keeping
// their original order within a group. Items of category kNone are left
// out (position kNone).
struct Grouping {
  std::vector<uint32_t> position;
  std::vector<uint32_t> category_begin;  // K + 1 offsets.
};

// Two stable counting-sort passes (image, then category): linear time.
Grouping GroupByCategoryAndImage(std::span<const uint32_t> category,
                                 std::span<const uint32_t> image, size_t num_categories,
                                 size_t num_images) {
  std::vector<uint32_t> image_begin(num_images + 1, 0);
  Grouping grouping;
  grouping.category_begin.assign(num_categories + 1, 0);
  for (size_t i = 0; i < category.size(); ++i) {
    if (category[i] == kNone) continue;
    ++image_begin[image[i] + 1];
    ++grouping.category_begin[category[i] + 1];
  }
  std::partial_sum(image_begin.begin(), image_begin.end(), image_begin.begin());
  std::partial_sum(grouping.category_begin.begin(), grouping.category_begin.end(),
                   grouping.category_begin.begin());
  std::vector<uint32_t> by_image(image_begin.back());
  for (uint32_t i = 0; i < category.size(); ++i) {
    if (category[i] != kNone) by_image[image_begin[image[i]]++] = i;
  }
  grouping.position.assign(category.size(), kNone);
  std::vector<uint32_t> next(grouping.category_begin.begin(), grouping.category_begin.end() - 1);
  for (const uint32_t i : by_image) grouping.position[i] = next[category[i]]++;
  return grouping;
}

bool InRange(double area, int a) { return area >= kAreaRanges[a][0] && area <= kAreaRanges[a][1]; }

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

// numpy's pairwise summation of float64 (pairwise_sum in loops_utils.h.src).
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

// np.sum of a float64 array as np.mean computes it: the reduction runs through
// numpy's 8192-element ufunc buffer, pairwise within each block, blocks added
// left to right. The last bits of the summary numbers depend on it.
double NumpySum(const double* a, size_t n) {
  constexpr size_t kBufferSize = 8192;
  double sum = 0;
  for (size_t i = 0; i < n; i += kBufferSize) {
    sum += PairwiseSum(a + i, std::min(kBufferSize, n - i));
  }
  return sum;
}

size_t PrecisionIndex(int t, int r, size_t k, size_t num_categories, int a, int m) {
  return ((((static_cast<size_t>(t) * kR + r) * num_categories + k) * kA + a) * kM) + m;
}

size_t RecallIndex(int t, size_t k, size_t num_categories, int a, int m) {
  return (((static_cast<size_t>(t) * num_categories + k) * kA + a) * kM) + m;
}

// A detection of a known category, grouped by (category, image).
struct GroupedDet {
  Box box;
  double score;
  uint32_t image;
};

// A detection kept for matching (one of the top 100 of its image).
struct KeptDet {
  Box box;
  double area;   // width * height, as loadRes sets it.
  uint8_t rank;  // Rank by score within its image.
};

// A detection's position with a key that orders best score first.
struct ScoreKey {
  uint64_t key;
  uint32_t index;
};

// The bits of -score as an unsigned integer with the same order. Both zeros
// map to one key, as they compare equal.
uint64_t DescendingKey(double score) {
  const auto bits = std::bit_cast<uint64_t>(score == 0 ? 0.0 : score);
  const uint64_t ascending = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  return ~ascending;
}

// Stable sort by key (LSD radix, a byte per pass; passes where all keys share
// the byte are skipped). Stability keeps equal scores in index order, as
// np.argsort(kind='mergesort') does.
void RadixSort(std::vector<ScoreKey>& keys, std::vector<ScoreKey>& buffer) {
  std::array<std::array<uint32_t, 256>, 8> counts{};
  for (const ScoreKey& k : keys) {
    for (int b = 0; b < 8; ++b) ++counts[b][(k.key >> (8 * b)) & 0xff];
  }
  buffer.resize(keys.size());
  for (int b = 0; b < 8; ++b) {
    const uint64_t first_byte = keys.empty() ? 0 : (keys[0].key >> (8 * b)) & 0xff;
    if (counts[b][first_byte] == keys.size()) continue;
    uint32_t offset = 0;
    for (uint32_t& count : counts[b]) offset += std::exchange(count, offset);
    for (const ScoreKey& k : keys) buffer[counts[b][(k.key >> (8 * b)) & 0xff]++] = k;
    keys.swap(buffer);
  }
}

// Matching outcome of one detection for one area range: bit t set when it is a
// true positive at kIouThresholds[t], bit t + kIgnoreShift when it is ignored.
using StatusWord = uint32_t;
using AreaStatus = std::array<StatusWord, kA>;

// Buffers one thread reuses from category to category, so that the hot loops
// do not allocate.
struct Scratch {
  // The current category's detections, best first (index: position in its span).
  std::vector<ScoreKey> keys;
  std::vector<ScoreKey> sort_buffer;
  std::vector<uint32_t> cell_of;       // Per detection: its image's cell.
  std::vector<uint32_t> cell_fill;     // Per cell: detections ranked so far.
  std::vector<Cell> det_cells;         // Per image: the slots of its kept detections.
  std::vector<KeptDet> dets;           // Kept detections by slot, i.e. (image, rank).
  std::vector<uint32_t> sorted_slots;  // Slots, best score first.
  std::vector<AreaStatus> status;      // Per slot.
  // Matching of one cell: (GT, IoU) pairs per detection.
  struct Candidate {
    uint32_t gt;
    double iou;
  };
  std::vector<Candidate> candidates;
  std::vector<uint32_t> candidate_begin;
  std::vector<uint8_t> gt_ignored;
  std::vector<uint16_t> gt_matched;  // One bit per IoU threshold.
  // Accumulation: statuses best score first, per max-dets limit.
  std::array<std::vector<AreaStatus>, kM> by_score;
  std::array<std::vector<double>, kT> tp_precision;  // Precision at each TP.
};

// evaluateImg() for one (image, category) and every area range: greedy matching
// of the score-sorted `dets` to `gts`, per IoU threshold.
void MatchCell(std::span<const GtBox> gts, std::span<const KeptDet> dets,
               std::span<AreaStatus> status, Scratch& s) {
  // computeIoU(); a pair below the lowest threshold can never match, so only
  // the others are kept (skipping them does not change any decision below).
  s.candidates.clear();
  s.candidate_begin.resize(dets.size() + 1);
  for (size_t d = 0; d < dets.size(); ++d) {
    s.candidate_begin[d] = static_cast<uint32_t>(s.candidates.size());
    for (uint32_t g = 0; g < gts.size(); ++g) {
      const double iou = BoxIou(dets[d].box, gts[g].box, gts[g].crowd);
      if (iou >= kIouThresholds[0]) s.candidates.push_back({g, iou});
    }
  }
  s.candidate_begin[dets.size()] = static_cast<uint32_t>(s.candidates.size());

  s.gt_ignored.resize(gts.size());
  s.gt_matched.resize(gts.size());
  for (int a = 0; a < kA; ++a) {
    // gt['_ignore']: crowd (pycocotools sets ignore := iscrowd) or out of range.
    for (size_t g = 0; g < gts.size(); ++g) {
      s.gt_ignored[g] = gts[g].crowd || !InRange(gts[g].area, a);
      s.gt_matched[g] = 0;
    }
    for (size_t d = 0; d < dets.size(); ++d) {
      // Unmatched detections outside the area range are ignored.
      const bool out_of_range = !InRange(dets[d].area, a);
      const std::span<const Scratch::Candidate> cands(
          s.candidates.data() + s.candidate_begin[d],
          s.candidates.data() + s.candidate_begin[d + 1]);
      if (cands.empty()) {
        status[d][a] = out_of_range ? kAllThresholds << kIgnoreShift : 0;
        continue;
      }
      StatusWord word = 0;
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
          word |= StatusWord{bit} << kIgnoreShift;
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
  for (int m = 0; m < kM; ++m) {
    s.by_score[m].clear();
    for (const uint32_t slot : s.sorted_slots) {
      if (s.dets[slot].rank < kMaxDets[m]) s.by_score[m].push_back(s.status[slot]);
    }
  }
  for (int a = 0; a < kA; ++a) {
    const uint32_t num_positives = index.num_positives[k][a];
    if (num_positives == 0) continue;  // Stays -1, as pycocotools.
    const double npig = num_positives;
    for (int m = 0; m < kM; ++m) {
      // Cumulative TP/FP counts; ignored detections count as neither. Only the
      // precision at true positives is kept: the interpolated precision at a
      // recall level is a maximum over positions from a TP on (or from 0),
      // and it is always attained at a TP. TP + FP so far is counted as the
      // detections seen minus those ignored; only set bits need work.
      uint32_t seen = 0;
      uint32_t ignored_at_all = 0;
      std::array<uint32_t, kT> ignored{};
      std::array<uint32_t, kT> tp{};
      for (auto& p : s.tp_precision) p.clear();
      for (const AreaStatus& status : s.by_score[m]) {
        const StatusWord word = status[a];
        ++seen;
        if (word == kAllThresholds << kIgnoreShift) {
          ++ignored_at_all;
          continue;
        }
        for (StatusWord bits = word; bits != 0; bits &= bits - 1) {
          const int bit = std::countr_zero(bits);
          if (bit >= static_cast<int>(kIgnoreShift)) {
            ++ignored[bit - kIgnoreShift];
            continue;
          }
          const double tps = ++tp[bit];
          const double tps_and_fps = seen - ignored_at_all - ignored[bit];
          s.tp_precision[bit].push_back(tps /
                                        (tps_and_fps + std::numeric_limits<double>::epsilon()));
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
          precision[PrecisionIndex(t, r, k, num_categories, a, m)] = c < p.size() ? p[c] : 0.0;
        }
      }
    }
  }
}

// Per-image top-100 selection, matching and accumulation for category `k`,
// whose detections `dets` are grouped by image, in file order within an image.
void EvaluateCategory(const GroundTruthIndex& index, size_t k, std::span<const GroupedDet> dets,
                      Scratch& s, std::vector<double>& precision, std::vector<double>& recall) {
  // One cell per image, with room for its top 100.
  s.det_cells.clear();
  s.cell_of.resize(dets.size());
  uint32_t num_kept = 0;
  for (size_t begin = 0; begin < dets.size();) {
    size_t end = begin + 1;
    while (end < dets.size() && dets[end].image == dets[begin].image) ++end;
    const auto kept = static_cast<uint32_t>(std::min<size_t>(end - begin, kMaxDetsPerCell));
    std::fill(s.cell_of.begin() + begin, s.cell_of.begin() + end,
              static_cast<uint32_t>(s.det_cells.size()));
    s.det_cells.push_back({dets[begin].image, num_kept, num_kept + kept});
    num_kept += kept;
    begin = end;
  }
  // One sort serves both orders pycocotools uses, as `dets` is grouped by image
  // in file order: evaluateImg()'s per image (best first, ties in file order,
  // top 100) and accumulate()'s over all images (ties in image order, then
  // rank); both are np.argsort(-scores, kind='mergesort').
  s.keys.clear();
  for (uint32_t j = 0; j < dets.size(); ++j) {
    s.keys.push_back({DescendingKey(dets[j].score), j});
  }
  RadixSort(s.keys, s.sort_buffer);
  s.cell_fill.assign(s.det_cells.size(), 0);
  s.dets.resize(num_kept);
  s.sorted_slots.clear();
  for (const ScoreKey& key : s.keys) {
    const uint32_t cell = s.cell_of[key.index];
    const uint32_t rank = s.cell_fill[cell]++;
    if (rank >= kMaxDetsPerCell) continue;
    const uint32_t slot = s.det_cells[cell].begin + rank;
    const Box& box = dets[key.index].box;
    s.dets[slot] = {box, box.width * box.height, static_cast<uint8_t>(rank)};
    s.sorted_slots.push_back(slot);
  }
  s.status.resize(num_kept);

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
    const size_t size = cell.end - cell.begin;
    MatchCell(gts, std::span<const KeptDet>(s.dets).subspan(cell.begin, size),
              std::span(s.status).subspan(cell.begin, size), s);
  }
  AccumulateCategory(index, k, s, precision, recall);
}

// np.mean(s[s > -1]) over the values of `spec` for categories [k_begin, k_end),
// taken in pycocotools' (t, r, k) / (t, k) order; -1 when there are none.
double Summarize(const StatSpec& spec, size_t k_begin, size_t k_end, size_t num_categories,
                 const std::vector<double>& precision, const std::vector<double>& recall,
                 std::vector<double>& buffer) {
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
  return NumpySum(buffer.data(), buffer.size()) / static_cast<double>(buffer.size());
}

}  // namespace

CocoEvaluator::CocoEvaluator(std::shared_ptr<const internal::GroundTruthIndex> index)
    : index_(std::move(index)) {}

const std::vector<int64_t>& CocoEvaluator::category_ids() const { return index_->category_ids; }

absl::StatusOr<CocoEvaluator> CocoEvaluator::Create(const GroundTruth& ground_truth) {
  auto index = std::make_shared<GroundTruthIndex>();
  std::vector<int64_t> ids;
  ids.reserve(ground_truth.images.size());
  for (const Image& image : ground_truth.images) ids.push_back(image.id);
  STLAB_ASSIGN_OR_RETURN(index->image_ids, SortedUniqueIds(std::move(ids), "image"));
  ids.clear();
  for (const Category& category : ground_truth.categories) ids.push_back(category.id);
  STLAB_ASSIGN_OR_RETURN(index->category_ids, SortedUniqueIds(std::move(ids), "category"));

  const std::vector<Annotation>& anns = ground_truth.annotations;
  if (anns.size() >= kNone) {
    return absl::InvalidArgumentError("too many annotations");
  }
  std::vector<uint32_t> category(anns.size());
  std::vector<uint32_t> image(anns.size());
  IdFinder images(index->image_ids);
  IdFinder categories(index->category_ids);
  for (size_t i = 0; i < anns.size(); ++i) {
    const Annotation& ann = anns[i];
    const int64_t img = images.Find(ann.image_id);
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
    const int64_t cat = categories.Find(ann.category_id);
    image[i] = static_cast<uint32_t>(img);
    category[i] = cat < 0 ? kNone : static_cast<uint32_t>(cat);
  }

  const size_t num_categories = index->category_ids.size();
  const Grouping grouping =
      GroupByCategoryAndImage(category, image, num_categories, index->image_ids.size());
  index->boxes.resize(grouping.category_begin.back());
  index->num_positives.assign(num_categories, {});
  std::vector<uint32_t> box_image(index->boxes.size());
  for (size_t i = 0; i < anns.size(); ++i) {
    const uint32_t pos = grouping.position[i];
    if (pos == kNone) continue;
    const Annotation& ann = anns[i];
    index->boxes[pos] = {ann.bbox, ann.area, ann.iscrowd, ann.id != 0};
    box_image[pos] = image[i];
    for (int a = 0; a < kA; ++a) {
      index->num_positives[category[i]][a] += !ann.iscrowd && InRange(ann.area, a);
    }
  }
  index->category_cells.assign(num_categories + 1, 0);
  for (size_t k = 0; k < num_categories; ++k) {
    index->category_cells[k] = static_cast<uint32_t>(index->cells.size());
    for (uint32_t pos = grouping.category_begin[k]; pos < grouping.category_begin[k + 1]; ++pos) {
      if (pos == grouping.category_begin[k] || box_image[pos] != box_image[pos - 1]) {
        index->cells.push_back({box_image[pos], pos, pos});
      }
      ++index->cells.back().end;
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
  if (detections.size() >= kNone) {
    return absl::InvalidArgumentError("too many detections");
  }
  std::vector<uint32_t> category(detections.size());
  std::vector<uint32_t> image(detections.size());
  IdFinder images(index.image_ids);
  IdFinder categories(index.category_ids);
  for (size_t i = 0; i < detections.size(); ++i) {
    const Detection& det = detections[i];
    const int64_t img = images.Find(det.image_id);
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
    const int64_t cat = categories.Find(det.category_id);
    image[i] = static_cast<uint32_t>(img);
    category[i] = cat < 0 ? kNone : static_cast<uint32_t>(cat);
  }

  const size_t num_categories = index.category_ids.size();
  const Grouping grouping =
      GroupByCategoryAndImage(category, image, num_categories, index.image_ids.size());
  std::vector<GroupedDet> grouped(grouping.category_begin.back());
  for (size_t i = 0; i < detections.size(); ++i) {
    const uint32_t pos = grouping.position[i];
    if (pos != kNone) grouped[pos] = {detections[i].bbox, detections[i].score, image[i]};
  }
  std::vector<double> precision(static_cast<size_t>(kT) * kR * num_categories * kA * kM, -1.0);
  std::vector<double> recall(static_cast<size_t>(kT) * num_categories * kA * kM, -1.0);

  std::atomic<size_t> next_category{0};
  const auto work = [&] {
    Scratch scratch;
    for (size_t k; (k = next_category.fetch_add(1)) < num_categories;) {
      const uint32_t begin = grouping.category_begin[k];
      EvaluateCategory(index, k,
                       std::span<const GroupedDet>(grouped).subspan(
                           begin, grouping.category_begin[k + 1] - begin),
                       scratch, precision, recall);
    }
  };
  {
    std::vector<std::jthread> helpers;
    const size_t num_helpers =
        std::min<size_t>(options.num_threads, std::max<size_t>(num_categories, 1)) - 1;
    for (size_t i = 0; i < num_helpers; ++i) {
      try {
        helpers.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // Fewer threads; the work still gets done, with the same results.
      }
    }
    work();
  }

  EvalResult result;
  std::vector<double> buffer;
  for (int i = 0; i < kNumStats; ++i) {
    result.stats[i] =
        Summarize(kStatSpecs[i], 0, num_categories, num_categories, precision, recall, buffer);
  }
  result.category_ids = index.category_ids;
  result.per_category_stats.resize(num_categories);
  for (size_t k = 0; k < num_categories; ++k) {
    for (int i = 0; i < kNumStats; ++i) {
      result.per_category_stats[k][i] =
          Summarize(kStatSpecs[i], k, k + 1, num_categories, precision, recall, buffer);
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
