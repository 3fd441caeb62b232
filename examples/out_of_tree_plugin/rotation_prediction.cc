// Example out-of-tree pre-training method: rotation prediction (Gidaris et al.
// 2018), a pretext task that needs no labels. Each image is shown at 0, 90, 180 and
// 270 degrees and a linear classifier over the pooled backbone feature predicts
// which. Registered as the pre-training method "rotation"; `stlab pretrain` runs it
// by config alone (rotation_pretrain.toml).
#include <memory>
#include <vector>

#include "ATen/ATen.h"
#include "core/pretrain_method.h"
#include "registry/plugin_api.h"
#include "torch/nn/modules/linear.h"

namespace example {

class RotationPrediction : public stlab::PretrainMethod {
 public:
  explicit RotationPrediction(const stlab::PretrainContext& context)
      : classifier_(register_module("classifier",
                                    torch::nn::Linear(context.feature_channels, 4))) {}

  int NumViews() const override { return 1; }
  bool UsesImageLabels() const override { return false; }

  stlab::PretrainLoss Loss(const stlab::Embed& embed, const std::vector<at::Tensor>& views,
                           const at::Tensor& labels) override {
    (void)labels;
    const at::Tensor& images = views.at(0);
    std::vector<at::Tensor> logits;
    std::vector<at::Tensor> targets;
    for (int64_t quarter = 0; quarter < 4; ++quarter) {
      // Each rotation is its own forward pass: a 90 degree turn of a non-square batch
      // has another shape.
      logits.push_back(classifier_->forward(embed(at::rot90(images, quarter, {2, 3}))));
      targets.push_back(at::full({images.size(0)}, quarter, at::kLong));
    }
    const at::Tensor all_logits = at::cat(logits);
    const at::Tensor all_targets = at::cat(targets);
    stlab::PretrainLoss loss;
    loss.terms["rotation"] = at::cross_entropy_loss(all_logits, all_targets);
    loss.values["rotation_accuracy"] =
        all_logits.argmax(1).eq(all_targets).to(at::kDouble).mean().item<double>();
    return loss;
  }

 private:
  torch::nn::Linear classifier_;
};

absl::Status Register(stlab::Registries& registries) {
  return registries.pretrain_methods().Add(
      {"rotation", "Rotation prediction (Gidaris et al. 2018): which of 4 quarter turns", {}},
      [](const stlab::Params&, const stlab::PretrainContext& context)
          -> absl::StatusOr<std::shared_ptr<stlab::PretrainMethod>> {
        return std::make_shared<RotationPrediction>(context);
      });
}

}  // namespace example

STLAB_PLUGIN("example_rotation", "1.0.0", example::Register)
