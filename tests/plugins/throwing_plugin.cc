// Test plugin: registers a component, then its registration throws.
#include <stdexcept>

#include "core/augmentation.h"
#include "registry/plugin_api.h"

namespace {

absl::Status Register(stlab::Registries& r) {
  absl::Status ignored = r.augmentations().Add(
      {"test_half_registered", "must not survive the throw", {}},
      [](const stlab::Params&, const stlab::NoContext&)
          -> absl::StatusOr<std::shared_ptr<stlab::Augmentation>> {
        return absl::UnimplementedError("never built");
      });
  (void)ignored;
  throw std::runtime_error("registration exploded");
}

}  // namespace

STLAB_PLUGIN("test_throwing", "1.0", Register)
