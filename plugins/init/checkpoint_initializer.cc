// Reading the model tensors of an stlab checkpoint archive.
#include "plugins/init/checkpoint_initializer.h"

#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/checkpoint.h"
#include "core/status.h"
#include "plugins/init/named_tensors.h"
#include "plugins/init/weights_file.h"

namespace stlab::init {
namespace {

// The tensors of `model` whose names start with `prefix`, with the prefix removed.
NamedTensors UnderPrefix(const std::map<std::string, at::Tensor>& model,
                         const std::string& prefix) {
  NamedTensors tensors;
  for (const auto& [key, tensor] : model) {
    if (absl::StartsWith(key, prefix)) tensors.emplace(key.substr(prefix.size()), tensor);
  }
  return tensors;
}

}  // namespace

CheckpointInitializer::CheckpointInitializer(const std::filesystem::path& path, std::string prefix,
                                             bool strict)
    : path_(std::filesystem::absolute(path).lexically_normal()),
      prefix_(std::move(prefix)),
      strict_(strict) {}

absl::Status CheckpointInitializer::Initialize(torch::nn::Module& module, uint64_t) const {
  STLAB_ASSIGN_OR_RETURN(WeightsFile file, ReadWeightsFile(path_));
  const std::string where =
      absl::StrCat("checkpoint '", path_.string(), "' (keys under '", prefix_, "')");
  STLAB_ASSIGN_OR_RETURN(CheckpointContents contents, ReadCheckpoint(file.bytes, path_));
  STLAB_RETURN_IF_ERROR(
      LoadNamedTensors(UnderPrefix(contents.model, prefix_), where, strict_, module));
  std::lock_guard<std::mutex> lock(mutex_);
  sha256_hex_ = file.sha256_hex;
  provenance_ = DescribeProvenance(contents.state);
  return absl::OkStatus();
}

std::string CheckpointInitializer::Origin() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string origin = DescribeOrigin("checkpoint", path_, sha256_hex_);
  return provenance_.empty() ? origin : absl::StrCat(origin, " (", provenance_, ")");
}

}  // namespace stlab::init
