// RetinaNet head: towers, losses and post-processing.
#include "plugins/detection/retinanet_head.h"

#include <cmath>
#include <memory>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"
#include "core/status.h"
#include "plugins/detection/box_ops.h"
#include "plugins/detection/focal_loss.h"
#include "plugins/detection/nms.h"
#include "torch/nn/init.h"
#include "torch/nn/modules/normalization.h"

namespace stlab::detection {
namespace {

namespace nn = torch::nn;

constexpr int64_t kGroupNormGroups = 32;

AnchorOptions AnchorOptionsFor(const RetinaNetHeadOptions& o) {
  AnchorOptions anchors;
  anchors.base_sizes.clear();
  for (const FeatureSpec& spec : o.inputs()) {
    anchors.base_sizes.push_back(o.anchor_size() * static_cast<double>(spec.stride));
  }
  anchors.octave_scales.clear();
  for (int64_t i = 0; i < o.scales_per_octave(); ++i) {
    anchors.octave_scales.push_back(
        std::pow(2.0, static_cast<double>(i) / static_cast<double>(o.scales_per_octave())));
  }
  anchors.aspect_ratios = o.aspect_ratios();
  return anchors;
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> result) {
  TORCH_CHECK(result.ok(), "retinanet head: ", std::string(result.status().message()));
  return *std::move(result);
}

const RetinaNetHeadOptions& Checked(const RetinaNetHeadOptions& options) {
  const absl::Status status = CheckRetinaNetHeadOptions(options);
  TORCH_CHECK(status.ok(), "retinanet head: ", std::string(status.message()));
  return options;
}

// num_convs x (3x3 conv [+ group norm] + ReLU) registered in `parent` under "conv"
// with torchvision's Conv2dNormActivation names: "conv.<i>.0" the conv, "conv.<i>.1"
// the norm. (A Sequential cannot nest Sequentials in the C++ frontend.)
std::vector<TowerLayer> Tower(nn::Module& parent, int64_t channels, int64_t num_convs,
                              bool group_norm) {
  auto conv_list = std::make_shared<nn::Module>();
  std::vector<TowerLayer> tower;
  for (int64_t i = 0; i < num_convs; ++i) {
    auto layer = std::make_shared<nn::Module>();
    TowerLayer t;
    t.conv = layer->register_module(
        "0", Conv2d(nn::Conv2dOptions(channels, channels, 3).padding(1).bias(!group_norm)));
    if (group_norm) {
      t.norm = layer->register_module("1", nn::GroupNorm(nn::GroupNormOptions(kGroupNormGroups, channels)));
    }
    conv_list->register_module(std::to_string(i), layer);
    tower.push_back(std::move(t));
  }
  parent.register_module("conv", conv_list);
  return tower;
}

at::Tensor RunTower(std::vector<TowerLayer>& tower, at::Tensor x) {
  for (TowerLayer& layer : tower) {
    x = layer.conv->forward(x);
    if (layer.norm) x = layer.norm->forward(x);
    x = at::relu(x);
  }
  return x;
}

// [N, A * K, H, W] -> [N, H * W * A, K]: the anchors' order (row, column, anchor).
at::Tensor FlattenLevel(const at::Tensor& map, int64_t k) {
  const int64_t n = map.size(0);
  const int64_t h = map.size(2);
  const int64_t w = map.size(3);
  return map.view({n, -1, k, h, w}).permute({0, 3, 4, 1, 2}).reshape({n, -1, k});
}

// Elementwise smooth-L1 summed; beta == 0 is L1.
at::Tensor SmoothL1Sum(const at::Tensor& input, const at::Tensor& target, double beta) {
  const at::Tensor diff = (input - target).abs();
  if (beta <= 0.0) return diff.sum();
  return at::where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta).sum();
}

}  // namespace

absl::Status CheckRetinaNetHeadOptions(const RetinaNetHeadOptions& o) {
  if (o.inputs().empty()) return absl::InvalidArgumentError("needs at least one input level");
  for (const FeatureSpec& spec : o.inputs()) {
    if (spec.channels != o.inputs().front().channels) {
      return absl::InvalidArgumentError(absl::StrCat(
          "all input levels must have one channel count (the towers are shared), but '",
          o.inputs().front().name, "' has ", o.inputs().front().channels, " and '", spec.name,
          "' has ", spec.channels));
    }
    if (spec.stride < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", spec.name, "' has stride ", spec.stride));
    }
  }
  if (o.num_classes() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("num_classes must be >= 1, got ", o.num_classes()));
  }
  if (o.num_convs() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("num_convs must be >= 0, got ", o.num_convs()));
  }
  if (o.norm() != "none" && o.norm() != "group_norm") {
    return absl::InvalidArgumentError(
        absl::StrCat("norm must be \"none\" or \"group_norm\", got \"", o.norm(), "\""));
  }
  if (o.norm() == "group_norm" && o.inputs().front().channels % kGroupNormGroups != 0) {
    return absl::InvalidArgumentError(absl::StrCat("group_norm needs channels divisible by ",
                                                   kGroupNormGroups, ", got ",
                                                   o.inputs().front().channels));
  }
  if (!(o.anchor_size() > 0.0) || o.scales_per_octave() < 1 || o.aspect_ratios().empty()) {
    return absl::InvalidArgumentError(
        "anchor_size must be > 0, scales_per_octave >= 1 and aspect_ratios non-empty");
  }
  if (o.box_loss() != "smooth_l1" && o.box_loss() != "giou") {
    return absl::InvalidArgumentError(
        absl::StrCat("box_loss must be \"smooth_l1\" or \"giou\", got \"", o.box_loss(), "\""));
  }
  if (!(o.prior_probability() > 0.0 && o.prior_probability() < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("prior_probability must be in (0, 1), got ", o.prior_probability()));
  }
  if (o.topk_candidates() < 1 || o.max_detections() < 1) {
    return absl::InvalidArgumentError("topk_candidates and max_detections must be >= 1");
  }
  STLAB_RETURN_IF_ERROR(AnchorGenerator::Create(AnchorOptionsFor(o)).status());
  return Matcher::Create(o.matcher()).status();
}

RetinaNetHeadImpl::RetinaNetHeadImpl(RetinaNetHeadOptions options)
    : options_(Checked(options)),
      anchors_(ValueOrThrow(AnchorGenerator::Create(AnchorOptionsFor(options_)))),
      matcher_(ValueOrThrow(Matcher::Create(options_.matcher()))) {
  const int64_t channels = options_.inputs().front().channels;
  const int64_t a = anchors_.num_anchors_per_location();
  const bool group_norm = options_.norm() == "group_norm";

  auto classification = std::make_shared<nn::Module>();
  cls_tower_ = Tower(*classification, channels, options_.num_convs(), group_norm);
  cls_logits_ = classification->register_module(
      "cls_logits", Conv2d(nn::Conv2dOptions(channels, a * options_.num_classes(), 3).padding(1)));
  register_module("classification_head", classification);

  auto regression = std::make_shared<nn::Module>();
  box_tower_ = Tower(*regression, channels, options_.num_convs(), group_norm);
  bbox_reg_ = regression->register_module(
      "bbox_reg", Conv2d(nn::Conv2dOptions(channels, a * 4, 3).padding(1)));
  register_module("regression_head", regression);

  torch::NoGradGuard no_grad;
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::normal_(conv->weight, 0.0, 0.01);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    }
  }
  const double p = options_.prior_probability();
  nn::init::constant_(cls_logits_->bias, -std::log((1.0 - p) / p));
}

RetinaNetHeadImpl::Outputs RetinaNetHeadImpl::Run(const Features& features,
                                                  const std::vector<int64_t>& image_size) {
  TORCH_CHECK(image_size.size() == 2, "image_size must be {H, W}");
  std::vector<at::Tensor> logits;
  std::vector<at::Tensor> deltas;
  std::vector<GridSize> grids;
  for (const FeatureSpec& spec : options_.inputs()) {
    auto it = features.find(spec.name);
    TORCH_CHECK(it != features.end(), "retinanet head: feature '", spec.name, "' missing");
    const at::Tensor& map = it->second;
    logits.push_back(FlattenLevel(cls_logits_->forward(RunTower(cls_tower_, map)), options_.num_classes()));
    deltas.push_back(FlattenLevel(bbox_reg_->forward(RunTower(box_tower_, map)), 4));
    grids.push_back({map.size(2), map.size(3)});
  }
  Outputs out;
  out.class_logits = at::cat(logits, 1);
  out.box_deltas = at::cat(deltas, 1);
  out.anchors = ValueOrThrow(anchors_.Generate(options_.inputs(), grids, out.box_deltas.device()));
  return out;
}

LossTerms RetinaNetHeadImpl::Loss(const Features& features, const std::vector<Sample>& targets,
                                  const std::vector<int64_t>& image_size) {
  Outputs out = Run(features, image_size);
  const int64_t n = out.class_logits.size(0);
  TORCH_CHECK(static_cast<int64_t>(targets.size()) == n, "retinanet head: ", targets.size(),
              " targets for a batch of ", n);
  const at::Device device = out.class_logits.device();
  const at::Tensor& anchors = out.anchors.boxes;

  // Targets image by image (matching), then each loss once over the whole batch: one
  // focal loss over every valid (image, anchor) and one box loss over every positive,
  // instead of a chain of per-image slices whose backward zero-fills the batch each.
  const int64_t num_anchors = anchors.size(0);
  at::Tensor cls_target = at::zeros_like(out.class_logits);  // [N, A, K]
  std::vector<at::Tensor> valid_rows;     // Flat (image, anchor) rows in the loss.
  std::vector<at::Tensor> positive_rows;  // Flat rows of the positives,
  std::vector<at::Tensor> positive_anchor;  // their anchors
  std::vector<at::Tensor> positive_box;     // and matched boxes.
  for (int64_t i = 0; i < n; ++i) {
    const Sample& target = targets[i];
    const at::Tensor gt_boxes = target.boxes.defined() ? target.boxes.to(device, at::kFloat)
                                                       : at::zeros({0, 4}, anchors.options());
    const at::Tensor gt_labels = target.labels.defined() ? target.labels.to(device, at::kLong)
                                                         : at::zeros({0}, anchors.options().dtype(at::kLong));
    at::Tensor ignore;
    if (target.ignore_boxes.defined() && target.ignore_boxes.size(0) > 0) {
      ignore = target.ignore_boxes.to(device, at::kFloat);
    }
    const at::Tensor matched = matcher_.Match(anchors, gt_boxes, ignore);
    const at::Tensor positive_index = (matched >= 0).nonzero().squeeze(1);
    valid_rows.push_back((matched != kIgnored).nonzero().squeeze(1) + i * num_anchors);
    if (positive_index.size(0) == 0) continue;
    const at::Tensor positive_gt = matched.index_select(0, positive_index);
    const at::Tensor labels = gt_labels.index_select(0, positive_gt);
    at::Tensor image_target = cls_target[i];
    if (target.label_scores.defined()) {
      const at::Tensor scores = target.label_scores.to(device, cls_target.scalar_type());
      TORCH_CHECK(scores.dim() == 1 && scores.size(0) == gt_boxes.size(0),
                  "retinanet head: ", target.source, ": label_scores ", scores.sizes(),
                  " do not match ", gt_boxes.size(0), " boxes");
      image_target.index_put_({positive_index, labels}, scores.index_select(0, positive_gt));
    } else {
      image_target.index_put_({positive_index, labels}, 1.0);
    }
    positive_rows.push_back(positive_index + i * num_anchors);
    positive_anchor.push_back(positive_index);
    positive_box.push_back(gt_boxes.index_select(0, positive_gt));
  }
  const int64_t num_classes = out.class_logits.size(2);
  const at::Tensor valid = at::cat(valid_rows);
  const at::Tensor cls_loss =
      SigmoidFocalLoss(out.class_logits.reshape({-1, num_classes}).index_select(0, valid),
                       cls_target.view({-1, num_classes}).index_select(0, valid),
                       options_.focal_alpha(), options_.focal_gamma());
  at::Tensor box_loss = at::zeros({}, out.box_deltas.options());
  int64_t num_positive = 0;
  if (!positive_rows.empty()) {
    const at::Tensor rows = at::cat(positive_rows);
    num_positive = rows.size(0);
    const at::Tensor pos_anchors = anchors.index_select(0, at::cat(positive_anchor));
    const at::Tensor pos_gt = at::cat(positive_box);
    const at::Tensor pos_deltas = out.box_deltas.reshape({-1, 4}).index_select(0, rows);
    if (options_.box_loss() == "giou") {
      box_loss = (1.0 - PairedGeneralizedIou(Decode(pos_anchors, pos_deltas), pos_gt)).sum();
    } else {
      box_loss = SmoothL1Sum(pos_deltas, Encode(pos_anchors, pos_gt), options_.smooth_l1_beta());
    }
  }
  const double normalizer = static_cast<double>(std::max<int64_t>(num_positive, 1));
  return {{"cls", cls_loss / normalizer},
          {"box", box_loss * (options_.box_loss_weight() / normalizer)}};
}

std::vector<Detections> RetinaNetHeadImpl::Predict(const Features& features,
                                                   const std::vector<int64_t>& image_size) {
  torch::NoGradGuard no_grad;
  Outputs out = Run(features, image_size);
  const int64_t n = out.class_logits.size(0);
  const int64_t c = options_.num_classes();
  std::vector<Detections> result;
  result.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<at::Tensor> boxes;
    std::vector<at::Tensor> scores;
    std::vector<at::Tensor> labels;
    int64_t start = 0;
    for (int64_t count : out.anchors.num_per_level) {
      const at::Tensor level_scores = out.class_logits[i].narrow(0, start, count).sigmoid().flatten();
      at::Tensor candidates = (level_scores > options_.score_threshold()).nonzero().squeeze(1);
      at::Tensor candidate_scores = level_scores.index_select(0, candidates);
      const int64_t k = std::min<int64_t>(options_.topk_candidates(), candidates.size(0));
      auto [top_scores, top] = candidate_scores.topk(k);
      candidates = candidates.index_select(0, top);
      const at::Tensor anchor_index = at::floor_divide(candidates, c) + start;
      labels.push_back(at::remainder(candidates, c));
      scores.push_back(top_scores);
      boxes.push_back(Decode(out.anchors.boxes.index_select(0, anchor_index),
                             out.box_deltas[i].index_select(0, anchor_index)));
      start += count;
    }
    at::Tensor all_boxes = ClipToImage(at::cat(boxes), image_size[0], image_size[1]);
    const at::Tensor all_scores = at::cat(scores);
    const at::Tensor all_labels = at::cat(labels);
    at::Tensor keep = BatchedNms(all_boxes, all_scores, all_labels, options_.nms_threshold());
    keep = keep.narrow(0, 0, std::min<int64_t>(keep.size(0), options_.max_detections()));
    result.push_back({all_boxes.index_select(0, keep).contiguous(),
                      all_scores.index_select(0, keep).contiguous(),
                      all_labels.index_select(0, keep).contiguous()});
  }
  return result;
}

}  // namespace stlab::detection
