// Initialization from a .safetensors file with torchvision or timm parameter names,
// e.g. ImageNet-pretrained backbones exported from Python.
#ifndef STLAB_PLUGINS_INIT_SAFETENSORS_INITIALIZER_H_
#define STLAB_PLUGINS_INIT_SAFETENSORS_INITIALIZER_H_

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/initializer.h"

namespace stlab::init {

/// A naming convention of weights files and how its names become stlab's.
struct KeyMap {
  const char* name;
  const char* doc;
};

/// The key maps the safetensors initializer accepts: the one table of them.
const std::vector<KeyMap>& KeyMaps();

/// Names of the key maps, for the parameter declaration.
std::vector<std::string> KeyMapNames();

/// Classifier heads of the supported namings, unused by a backbone: torchvision's and
/// timm's ResNet `fc.`, torchvision's EfficientNet `classifier.` and `features.8.`
/// (the 1x1 convolution feeding it, which stlab's EfficientNet leaves out).
const std::vector<std::string>& ClassifierHeadPrefixes();

/// Loads every tensor of the file, except those whose names start with one of
/// `ignore_prefixes`, through the key map `key_map` (a name from KeyMaps()) into the
/// module, converting dtypes (F16, BF16, F64) to the module's. Strict or partial as
/// described at LoadNamedTensors. The seed is unused: nothing is random.
/// Thread safety: Initialize may run concurrently; Origin reports the file read last.
class SafetensorsInitializer : public Initializer {
 public:
  /// A relative `path` is taken from the working directory.
  SafetensorsInitializer(const std::filesystem::path& path, std::string key_map, bool strict,
                         std::vector<std::string> ignore_prefixes);
  absl::Status Initialize(torch::nn::Module& module, uint64_t seed) const override;
  /// "safetensors /abs/path sha256:0123456789ab" (without the digest before Initialize).
  std::string Origin() const override;

 private:
  std::filesystem::path path_;
  std::string key_map_;
  bool strict_;
  std::vector<std::string> ignore_prefixes_;
  mutable std::mutex mutex_;
  mutable std::string sha256_hex_;
};

}  // namespace stlab::init

#endif  // STLAB_PLUGINS_INIT_SAFETENSORS_INITIALIZER_H_
