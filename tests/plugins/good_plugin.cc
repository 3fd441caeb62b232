// Test plugin: registers one augmentation that does nothing.
#include "core/augmentation.h"
#include "registry/plugin_api.h"

namespace {

class NoOp : public stlab::Augmentation {
 public:
  absl::Status Apply(stlab::Sample&, stlab::Rng&) const override { return absl::OkStatus(); }
};

absl::Status Register(stlab::Registries& r) {
  return r.augmentations().Add(
      {"test_noop", "does nothing", {stlab::ParamSpec::Int("level", 1, "unused").Min(0)}},
      [](const stlab::Params&, const stlab::NoContext&)
          -> absl::StatusOr<std::shared_ptr<stlab::Augmentation>> {
        return std::make_shared<NoOp>();
      });
}

}  // namespace

STLAB_PLUGIN("test_good", "9.9.9", Register)
