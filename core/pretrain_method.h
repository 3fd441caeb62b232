// Pre-training method interface: what a method (supervised classification, SimCLR,
// a pretext task) trains on top of a backbone, and its loss. `stlab pretrain` runs
// any registered method on the run driver; the backbone alone is its product.
#ifndef STLAB_CORE_PRETRAIN_METHOD_H_
#define STLAB_CORE_PRETRAIN_METHOD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ATen/core/Tensor.h"
#include "core/export.h"
#include "core/losses.h"
#include "torch/nn/module.h"

namespace stlab {

/// What a method is built from besides its parameters: facts of the backbone and
/// of the data.
struct PretrainContext {
  /// Channels of the backbone's coarsest level: the width of Embed's output.
  int64_t feature_channels = 0;
  /// Classes of data.train's image labels (its class names); 0 when it has none.
  int64_t num_classes = 0;
};

/// Images [N, 3, H, W] (normalized, padded) -> the backbone's coarsest level,
/// globally average-pooled: [N, feature_channels]. Gradients flow into the backbone.
using Embed = std::function<at::Tensor(const at::Tensor& images)>;

/// One step's loss: its terms (summed into the loss to back-propagate, logged as
/// "loss/<term>") and other per-step values (logged under their names).
struct PretrainLoss {
  LossTerms terms;
  std::map<std::string, double> values;
};

/// A pre-training method. Its own parameters (a projection or classifier head) are
/// registered in the module and trained with the backbone; rolling checkpoints keep
/// them, backbone.pt does not.
class STLAB_API PretrainMethod : public torch::nn::Module {
 public:
  /// Augmented views of each image per step (SimCLR: 2), each drawn from its own
  /// stream of the same sample.
  virtual int NumViews() const = 0;
  /// Whether Loss() reads one label per image (Sample::labels[0], as
  /// synthetic_shapes_classification and image_folder with labels = "subfolder"
  /// give). Pre-training refuses data.train without labels for such a method.
  virtual bool UsesImageLabels() const = 0;

  /// The loss of a batch: `views[v]` holds view v of the batch's images; `labels`
  /// [N] int64 is defined when UsesImageLabels().
  virtual PretrainLoss Loss(const Embed& embed, const std::vector<at::Tensor>& views,
                            const at::Tensor& labels) = 0;

  /// Whether the method predicts data.train's classes (ClassLogits): pre-training
  /// then reports data.val's top-1 accuracy.
  virtual bool ClassifiesImages() const { return false; }
  /// Class logits [N, num_classes] of unaugmented images; called only when
  /// ClassifiesImages().
  virtual at::Tensor ClassLogits(const Embed& embed, const at::Tensor& images) {
    (void)embed;
    (void)images;
    return at::Tensor();
  }
};

}  // namespace stlab

#endif  // STLAB_CORE_PRETRAIN_METHOD_H_
