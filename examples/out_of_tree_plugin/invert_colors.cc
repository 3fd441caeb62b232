// Example out-of-tree plugin: a colour-inversion augmentation. Only pixels change,
// so boxes and masks stay as they are.
#include <memory>

#include "ATen/ATen.h"
#include "core/augmentation.h"
#include "registry/plugin_api.h"

namespace example {

class InvertColors : public stlab::Augmentation {
 public:
  explicit InvertColors(double probability) : probability_(probability) {}

  absl::Status Apply(stlab::Sample& sample, stlab::Rng& rng) const override {
    if (rng.Bernoulli(probability_)) sample.image = 255 - sample.image;
    return absl::OkStatus();
  }

 private:
  double probability_;
};

absl::Status Register(stlab::Registries& registries) {
  return registries.augmentations().Add(
      {"invert_colors",
       "Replaces every pixel value v by 255 - v",
       {stlab::ParamSpec::Float("probability", 0.5, "chance that a sample is inverted")
            .Range(0.0, 1.0)}},
      [](const stlab::Params& p, const stlab::NoContext&)
          -> absl::StatusOr<std::shared_ptr<stlab::Augmentation>> {
        return std::make_shared<InvertColors>(p.GetFloat("probability"));
      });
}

}  // namespace example

STLAB_PLUGIN("example_invert", "1.0.0", example::Register)
