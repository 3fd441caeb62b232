// Exponential moving average of a model's weights (Polyak averaging), the optional
// evaluation weights of a run (EfficientDet's and the paper's TF recipe).
#ifndef STLAB_CORE_ENGINE_EMA_H_
#define STLAB_CORE_ENGINE_EMA_H_

#include <cstdint>
#include <map>
#include <string>

#include "ATen/core/Tensor.h"
#include "core/export.h"
#include "torch/nn/module.h"

namespace stlab {

/// Keeps, for every parameter and buffer of a model, an averaged copy:
/// ema = d * ema + (1 - d) * value after each step, with d = min(decay, (1 + t) /
/// (10 + t)) at step t so that early averages are not dominated by the random start.
/// Buffers (batch-norm statistics) are averaged the same way.
class STLAB_API WeightEma {
 public:
  /// Starts from a copy of `model`'s current weights.
  WeightEma(const torch::nn::Module& model, double decay);

  /// Folds in the weights of `model` after optimizer step `step` (0-based).
  void Update(const torch::nn::Module& model, int64_t step);
  /// Copies the averages into `model` (of the same architecture).
  void CopyTo(torch::nn::Module& model) const;

  /// The averages by parameter name, for checkpoints; Restore() takes them back and
  /// fails (throws c10::Error) on a missing name or another shape.
  const std::map<std::string, at::Tensor>& averages() const { return averages_; }
  void Restore(const std::map<std::string, at::Tensor>& averages);

 private:
  double decay_;
  std::map<std::string, at::Tensor> averages_;
};

}  // namespace stlab

#endif  // STLAB_CORE_ENGINE_EMA_H_
