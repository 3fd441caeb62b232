// The init plugin: initializers.
#include <memory>

#include "plugins/init/random_initializer.h"
#include "registry/plugin_api.h"

namespace stlab::init {
namespace {

absl::Status Register(Registries& registries) {
  return registries.initializers().Add(
      {"random",
       "Kaiming-normal convolutions, unit norms, small-normal linears; all from the run seed",
       {ParamSpec::String("fan_mode", "fan_out", "Kaiming fan of convolution weights")
            .OneOf({"fan_in", "fan_out"}),
        ParamSpec::Float("linear_std", 0.01, "std of linear-layer weights").Min(0.0)}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<Initializer>> {
        return std::make_shared<RandomInitializer>(p.GetString("fan_mode"),
                                                   p.GetFloat("linear_std"));
      });
}

}  // namespace
}  // namespace stlab::init

STLAB_PLUGIN("init", "0.1.0", stlab::init::Register)
