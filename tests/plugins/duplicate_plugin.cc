// Test plugin: registers the same augmentation name as good_plugin.cc.
#include "core/augmentation.h"
#include "registry/plugin_api.h"

namespace {

absl::Status Register(stlab::Registries& r) {
  return r.augmentations().Add(
      {"test_noop", "clashes", {}},
      [](const stlab::Params&, const stlab::NoContext&)
          -> absl::StatusOr<std::shared_ptr<stlab::Augmentation>> {
        return absl::UnimplementedError("never built");
      });
}

}  // namespace

STLAB_PLUGIN("test_duplicate", "1.0", Register)
