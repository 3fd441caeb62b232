// Feature pyramid network.
#include "plugins/models/fpn.h"

#include <algorithm>
#include <map>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"

namespace stlab::models {
namespace {

namespace nn = torch::nn;

Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2));
}

// log2(stride), or -1 when the stride is not a power of two >= 2.
int64_t LevelOf(int64_t stride) {
  if (stride < 2 || (stride & (stride - 1)) != 0) return -1;
  int64_t level = 0;
  while ((int64_t{1} << level) < stride) ++level;
  return level;
}

struct Layout {
  std::vector<const FeatureSpec*> backbone;  // Inputs used, levels min_level.. finest first.
  int64_t first_extra_level = 0;             // Levels from here to max_level are extras.
};

absl::Status PlanLayout(const FpnOptions& o, Layout& layout) {
  if (o.out_channels() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("out_channels must be >= 1, got ", o.out_channels()));
  }
  if (o.min_level() < 1 || o.min_level() > o.max_level()) {
    return absl::InvalidArgumentError(absl::StrCat("need 1 <= min_level <= max_level, got ",
                                                   o.min_level(), " and ", o.max_level()));
  }
  if (o.p6_from() != "c5" && o.p6_from() != "p5") {
    return absl::InvalidArgumentError(
        absl::StrCat("p6_from must be \"c5\" or \"p5\", got \"", o.p6_from(), "\""));
  }
  if (o.inputs().empty()) return absl::InvalidArgumentError("fpn needs input feature specs");
  std::map<int64_t, const FeatureSpec*> by_level;
  for (const FeatureSpec& spec : o.inputs()) {
    const int64_t level = LevelOf(spec.stride);
    if (level < 0) {
      return absl::InvalidArgumentError(absl::StrCat("input '", spec.name, "' has stride ",
                                                     spec.stride, ", not a power of two >= 2"));
    }
    if (spec.channels < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", spec.name, "' has ", spec.channels, " channels"));
    }
    if (!by_level.emplace(level, &spec).second) {
      return absl::InvalidArgumentError(absl::StrCat("inputs '", by_level[level]->name, "' and '",
                                                     spec.name, "' share stride ", spec.stride));
    }
  }
  const int64_t top = std::min(by_level.rbegin()->first, o.max_level());
  if (o.min_level() > top) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_level ", o.min_level(), " is above the coarsest input level ", top));
  }
  layout.backbone.clear();
  for (int64_t level = o.min_level(); level <= top; ++level) {
    auto it = by_level.find(level);
    if (it == by_level.end()) {
      return absl::InvalidArgumentError(absl::StrCat("no input with stride ", int64_t{1} << level,
                                                     " (level ", level,
                                                     ") between min_level and the coarsest input"));
    }
    layout.backbone.push_back(it->second);
  }
  layout.first_extra_level = top + 1;
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckFpnOptions(const FpnOptions& options) {
  Layout layout;
  return PlanLayout(options, layout);
}

FpnImpl::FpnImpl(FpnOptions options) : options_(std::move(options)) {
  Layout layout;
  const absl::Status valid = PlanLayout(options_, layout);
  TORCH_CHECK(valid.ok(), "fpn: ", std::string(valid.message()));
  const int64_t out = options_.out_channels();
  for (const FeatureSpec* input : layout.backbone) {
    const int64_t level = LevelOf(input->stride);
    input_names_.push_back(input->name);
    laterals_.push_back(
        register_module(absl::StrCat("lateral", level), Conv(input->channels, out, 1, 1)));
    outputs_.push_back(register_module(absl::StrCat("output", level), Conv(out, out, 3, 1)));
    specs_.push_back({absl::StrCat("p", level), out, input->stride});
  }
  int64_t in = options_.p6_from() == "c5" ? layout.backbone.back()->channels : out;
  for (int64_t level = layout.first_extra_level; level <= options_.max_level(); ++level) {
    extras_.push_back(register_module(absl::StrCat("p", level), Conv(in, out, 3, 2)));
    specs_.push_back({absl::StrCat("p", level), out, int64_t{1} << level});
    in = out;
  }
}

Features FpnImpl::Forward(const Features& inputs) {
  const size_t n = laterals_.size();
  std::vector<at::Tensor> merged(n);
  for (size_t k = n; k-- > 0;) {
    auto it = inputs.find(input_names_[k]);
    TORCH_CHECK(it != inputs.end(), "fpn: missing input '", input_names_[k], "'");
    at::Tensor lateral = laterals_[k]->forward(it->second);
    if (k + 1 < n) {
      const at::IntArrayRef size = lateral.sizes().slice(2);
      lateral = lateral + at::upsample_nearest2d(merged[k + 1], size);
    }
    merged[k] = lateral;
  }
  Features out;
  for (size_t k = 0; k < n; ++k) out.emplace(specs_[k].name, outputs_[k]->forward(merged[k]));
  if (!extras_.empty()) {
    at::Tensor x =
        options_.p6_from() == "c5" ? inputs.at(input_names_.back()) : out.at(specs_[n - 1].name);
    for (size_t e = 0; e < extras_.size(); ++e) {
      x = extras_[e]->forward(e == 0 ? x : at::relu(x));
      out.emplace(specs_[n + e].name, x);
    }
  }
  return out;
}

}  // namespace stlab::models
