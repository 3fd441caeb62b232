// Random initialization: the standard schemes for convolutions, norms and linears.
#ifndef STLAB_PLUGINS_INIT_RANDOM_INITIALIZER_H_
#define STLAB_PLUGINS_INIT_RANDOM_INITIALIZER_H_

#include <string>

#include "core/initializer.h"

namespace stlab::init {

/// Convolutions: Kaiming-normal weights (gain sqrt(2), for ReLU) over `fan_mode`
/// ("fan_out" as in torchvision's ResNet, or "fan_in"), zero biases. Batch and
/// group norms: weight 1, bias 0, running statistics reset. Linears: normal weights
/// with std `linear_std`, zero biases. BuildTaskModel applies [model.init] to the
/// backbone only: necks and heads keep the initialization of their construction
/// (e.g. RetinaNet's prior-probability bias, set in its reset()).
class RandomInitializer : public Initializer {
 public:
  RandomInitializer(std::string fan_mode, double linear_std)
      : fan_mode_(std::move(fan_mode)), linear_std_(linear_std) {}
  absl::Status Initialize(torch::nn::Module& module, uint64_t seed) const override;
  std::string Origin() const override;

 private:
  std::string fan_mode_;
  double linear_std_;
};

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_RANDOM_INITIALIZER_H_
