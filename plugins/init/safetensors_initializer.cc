// Safetensors files mapped onto stlab's (torchvision's) parameter names.
#include "plugins/init/safetensors_initializer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/init/named_tensors.h"
#include "plugins/init/safetensors_file.h"
#include "plugins/init/weights_file.h"

namespace stlab::init {

// NOTE: both namings supported today are identities, so a key map renames nothing
// yet. stlab's ResNet and EfficientNet use torchvision's names; timm's plain ResNets
// (resnet18 ... resnet152, not the deep-stem "d" variants, whose conv1.0 ... and
// downsample.1 do not fit and are reported as such) use conv1, bn1, layer1.0.conv1,
// downsample.0/1 exactly as torchvision does. timm's EfficientNet (conv_stem,
// blocks.0.0.conv_dw, ...) would be the first map here that renames.
const std::vector<KeyMap>& KeyMaps() {
  static const std::vector<KeyMap> maps = {
      {"torchvision", "torchvision's names (resnet*, efficientnet_b*), which stlab uses"},
      {"timm_resnet", "timm's plain ResNet names, the same as torchvision's"},
  };
  return maps;
}

std::vector<std::string> KeyMapNames() {
  std::vector<std::string> names;
  for (const KeyMap& map : KeyMaps()) names.push_back(map.name);
  return names;
}

const std::vector<std::string>& ClassifierHeadPrefixes() {
  static const std::vector<std::string> prefixes = {"fc.", "classifier.", "features.8."};
  return prefixes;
}

SafetensorsInitializer::SafetensorsInitializer(const std::filesystem::path& path,
                                               std::string key_map, bool strict,
                                               std::vector<std::string> ignore_prefixes)
    : path_(std::filesystem::absolute(path).lexically_normal()),
      key_map_(std::move(key_map)),
      strict_(strict),
      ignore_prefixes_(std::move(ignore_prefixes)) {}

absl::Status SafetensorsInitializer::Initialize(torch::nn::Module& module, uint64_t) const {
  const std::vector<std::string> names = KeyMapNames();
  if (std::find(names.begin(), names.end(), key_map_) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown key map '", key_map_, "'"));
  }
  STLAB_ASSIGN_OR_RETURN(WeightsFile file, ReadWeightsFile(path_));
  const std::string where = absl::StrCat("safetensors file '", path_.string(), "'");
  STLAB_ASSIGN_OR_RETURN(NamedTensors stored,
                         CallAndCatch(absl::StrCat("reading ", where),
                                      [&] { return ParseSafetensors(file.bytes, where); }));
  NamedTensors tensors;
  for (auto& [name, tensor] : stored) {
    const bool ignored = std::any_of(
        ignore_prefixes_.begin(), ignore_prefixes_.end(),
        [&name = name](const std::string& prefix) { return absl::StartsWith(name, prefix); });
    if (!ignored) tensors.emplace(name, std::move(tensor));
  }
  STLAB_RETURN_IF_ERROR(
      LoadNamedTensors(tensors, absl::StrCat(where, " (", key_map_, " names)"), strict_, module));
  std::lock_guard<std::mutex> lock(mutex_);
  sha256_hex_ = file.sha256_hex;
  return absl::OkStatus();
}

std::string SafetensorsInitializer::Origin() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return DescribeOrigin("safetensors", path_, sha256_hex_);
}

}  // namespace stlab::init
