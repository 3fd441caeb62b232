// The built-in pre-training methods: supervised image classification (the paper's
// ImageNet pre-training) and SimCLR (its self-supervised pre-training).
#ifndef STLAB_PLUGINS_PRETRAIN_METHODS_H_
#define STLAB_PLUGINS_PRETRAIN_METHODS_H_

#include <cstdint>
#include <vector>

#include "ATen/core/Tensor.h"
#include "core/pretrain_method.h"
#include "torch/nn/modules/container/sequential.h"
#include "torch/nn/modules/linear.h"

namespace stlab::pretrain {

/// A linear classifier over the pooled coarsest feature, cross-entropy on each
/// image's label; logs the batch's top-1 "accuracy".
class SupervisedClassification : public PretrainMethod {
 public:
  explicit SupervisedClassification(const PretrainContext& context);

  int NumViews() const override { return 1; }
  bool UsesImageLabels() const override { return true; }
  bool ClassifiesImages() const override { return true; }
  PretrainLoss Loss(const Embed& embed, const std::vector<at::Tensor>& views,
                    const at::Tensor& labels) override;
  at::Tensor ClassLogits(const Embed& embed, const at::Tensor& images) override;

 private:
  torch::nn::Linear classifier_{nullptr};
};

/// SimCLR (Chen et al. 2020): two views per image, a Linear-ReLU-Linear projection
/// of the pooled feature, NT-Xent over the 2N projections.
class Simclr : public PretrainMethod {
 public:
  /// `hidden` <= 0: the backbone's coarsest channel count.
  Simclr(const PretrainContext& context, double temperature, int64_t projection_dim,
         int64_t hidden);

  int NumViews() const override { return 2; }
  bool UsesImageLabels() const override { return false; }
  PretrainLoss Loss(const Embed& embed, const std::vector<at::Tensor>& views,
                    const at::Tensor& labels) override;

 private:
  double temperature_;
  torch::nn::Sequential projection_;
};

/// `a` and `b` stacked along the batch, the smaller padded at the bottom and right
/// (zero is the mean pixel after normalization, as Collate pads).
at::Tensor StackViews(const at::Tensor& a, const at::Tensor& b);

}  // namespace stlab::pretrain

#endif  // STLAB_PLUGINS_PRETRAIN_METHODS_H_
