// The init plugin: initializers.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status.h"
#include "plugins/init/checkpoint_initializer.h"
#include "plugins/init/random_initializer.h"
#include "plugins/init/safetensors_initializer.h"
#include "registry/plugin_api.h"

namespace stlab::init {
namespace {

using InitializerOr = absl::StatusOr<std::shared_ptr<Initializer>>;

// NOTE: relative paths are taken from the working directory: initializer factories
// are given no config folder to resolve them against.
absl::Status Register(Registries& registries) {
  auto& initializers = registries.initializers();
  STLAB_RETURN_IF_ERROR(initializers.Add(
      {"random",
       "Kaiming-normal convolutions, unit norms, small-normal linears; all from the run seed",
       {ParamSpec::String("fan_mode", "fan_out", "Kaiming fan of convolution weights")
            .OneOf({"fan_in", "fan_out"}),
        ParamSpec::Float("linear_std", 0.01, "std of linear-layer weights").Min(0.0)}},
      [](const Params& p, const NoContext&) -> InitializerOr {
        return std::make_shared<RandomInitializer>(p.GetString("fan_mode"),
                                                   p.GetFloat("linear_std"));
      }));
  STLAB_RETURN_IF_ERROR(initializers.Add(
      {"checkpoint",
       "weights from an stlab checkpoint (model_final.pt, checkpoint.pt), strict by default",
       {ParamSpec::Required("path", ParamType::kString,
                            "checkpoint file; relative paths start at the working directory"),
        ParamSpec::String("prefix", "backbone.",
                          "only the file's keys starting with this, with it removed, are loaded"),
        ParamSpec::Bool("strict", true,
                        "every tensor must fit; false loads what fits and logs the rest")}},
      [](const Params& p, const NoContext&) -> InitializerOr {
        return std::make_shared<CheckpointInitializer>(p.GetString("path"), p.GetString("prefix"),
                                                       p.GetBool("strict"));
      }));
  std::vector<std::string> key_map_docs;
  for (const KeyMap& map : KeyMaps()) key_map_docs.push_back(absl::StrCat(map.name, ": ", map.doc));
  return initializers.Add(
      {"safetensors",
       "weights from a .safetensors file with torchvision or timm names, strict by default",
       {ParamSpec::Required("path", ParamType::kString,
                            ".safetensors file; relative paths start at the working directory"),
        ParamSpec::String("key_map", "torchvision",
                          absl::StrCat("naming of the file's keys (",
                                       absl::StrJoin(key_map_docs, "; "), ")"))
            .OneOf(KeyMapNames()),
        ParamSpec::Bool("strict", true,
                        "every tensor must fit; false loads what fits and logs the rest"),
        ParamSpec::StringList("ignore_prefixes", ClassifierHeadPrefixes(),
                              "keys of the file starting with one of these are not loaded")}},
      [](const Params& p, const NoContext&) -> InitializerOr {
        return std::make_shared<SafetensorsInitializer>(
            p.GetString("path"), p.GetString("key_map"), p.GetBool("strict"),
            p.GetStringList("ignore_prefixes"));
      });
}

}  // namespace
}  // namespace stlab::init

STLAB_PLUGIN("init", "0.1.0", stlab::init::Register)
