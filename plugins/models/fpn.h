// Feature pyramid network (Lin et al. 2017) in RetinaNet's form: P3-P5 from
// lateral 1x1 convolutions, a nearest-neighbour top-down path and 3x3 output
// convolutions; P6 and P7 from stride-2 3x3 convolutions above the backbone.
#ifndef STLAB_PLUGINS_MODELS_FPN_H_
#define STLAB_PLUGINS_MODELS_FPN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/neck.h"
#include "core/ops/conv2d.h"
#include "torch/arg.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/pimpl.h"

namespace stlab::models {

/// Options of an FPN built on `inputs` (a backbone's OutputSpecs()). Check with
/// CheckFpnOptions().
struct FpnOptions {
  explicit FpnOptions(FeatureSpecs inputs) : inputs_(std::move(inputs)) {}
  TORCH_ARG(FeatureSpecs, inputs);
  /// Channels of every output level.
  TORCH_ARG(int64_t, out_channels) = 256;
  /// Output levels min_level..max_level (level = log2(stride)); named "p<level>".
  TORCH_ARG(int64_t, min_level) = 3;
  TORCH_ARG(int64_t, max_level) = 7;
  /// Input of the first extra level above the coarsest input: "c5" the coarsest
  /// backbone map (RetinaNet paper), "p5" its FPN output (torchvision, Detectron2
  /// when the widths match). Named for the usual C5 top; means the coarsest level.
  TORCH_ARG(std::string, p6_from) = "c5";
};

/// OK, or InvalidArgument saying which option or input level does not fit: the
/// inputs must hold, for min_level up to the coarsest input level (capped at
/// max_level), exactly one map per level, with strides that are powers of two.
absl::Status CheckFpnOptions(const FpnOptions& options);

/// Inputs are found by stride, never by name or position; inputs finer than
/// min_level or coarser than max_level are ignored. Submodules:
/// lateral<l> and output<l> for each backbone level l, p<l> for each extra level.
/// Throws c10::Error for options that fail CheckFpnOptions().
class FpnImpl : public Neck {
 public:
  explicit FpnImpl(FpnOptions options);

  Features Forward(const Features& inputs) override;
  const FeatureSpecs& OutputSpecs() const override { return specs_; }

  const FpnOptions& options() const { return options_; }

 private:
  FpnOptions options_;
  FeatureSpecs specs_;
  std::vector<std::string> input_names_;  // Per backbone level, finest first.
  std::vector<Conv2d> laterals_;
  std::vector<Conv2d> outputs_;
  std::vector<Conv2d> extras_;  // Levels above the coarsest input.
};
TORCH_MODULE(Fpn);

}  // namespace stlab::models

#endif  // STLAB_PLUGINS_MODELS_FPN_H_
