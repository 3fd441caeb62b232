// Supervised classification and SimCLR as pre-training methods.
#include "plugins/pretrain/methods.h"

#include <algorithm>

#include "ATen/ATen.h"
#include "plugins/pretrain/nt_xent_loss.h"
#include "torch/nn/modules/activation.h"

namespace stlab::pretrain {

SupervisedClassification::SupervisedClassification(const PretrainContext& context) {
  TORCH_CHECK(context.num_classes >= 2,
              "supervised pre-training needs a data.train with at least two classes (e.g. "
              "synthetic_shapes_classification, or image_folder with labels = \"subfolder\")");
  classifier_ = register_module(
      "classifier", torch::nn::Linear(context.feature_channels, context.num_classes));
}

PretrainLoss SupervisedClassification::Loss(const Embed& embed,
                                            const std::vector<at::Tensor>& views,
                                            const at::Tensor& labels) {
  const at::Tensor logits = classifier_->forward(embed(views.at(0)));
  PretrainLoss loss;
  loss.terms["cross_entropy"] = at::cross_entropy_loss(logits, labels);
  loss.values["accuracy"] = logits.argmax(1).eq(labels).to(at::kDouble).mean().item<double>();
  return loss;
}

at::Tensor SupervisedClassification::ClassLogits(const Embed& embed, const at::Tensor& images) {
  return classifier_->forward(embed(images));
}

Simclr::Simclr(const PretrainContext& context, double temperature, int64_t projection_dim,
               int64_t hidden)
    : temperature_(temperature) {
  const int64_t width = hidden > 0 ? hidden : context.feature_channels;
  projection_ = register_module(
      "projection", torch::nn::Sequential(torch::nn::Linear(context.feature_channels, width),
                                          torch::nn::ReLU(),
                                          torch::nn::Linear(width, projection_dim)));
}

PretrainLoss Simclr::Loss(const Embed& embed, const std::vector<at::Tensor>& views,
                          const at::Tensor& labels) {
  (void)labels;
  const at::Tensor projections = projection_->forward(embed(StackViews(views.at(0), views.at(1))));
  PretrainLoss loss;
  loss.terms["nt_xent"] = NtXentLoss(projections, temperature_);
  return loss;
}

at::Tensor StackViews(const at::Tensor& a, const at::Tensor& b) {
  const int64_t h = std::max(a.size(2), b.size(2));
  const int64_t w = std::max(a.size(3), b.size(3));
  auto pad = [&](const at::Tensor& x) {
    if (x.size(2) == h && x.size(3) == w) return x;
    return at::constant_pad_nd(x, {0, w - x.size(3), 0, h - x.size(2)}, 0.0);
  };
  return at::cat({pad(a), pad(b)});
}

}  // namespace stlab::pretrain
