// Reading the model tensors of an stlab checkpoint archive.
#include "plugins/init/checkpoint_initializer.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/init/named_tensors.h"
#include "plugins/init/weights_file.h"
#include "torch/serialize/input-archive.h"

namespace stlab::init {
namespace {

// NOTE: these repeat core/engine/checkpoint.cc's private format marker; the engine
// exposes no reader of a checkpoint's model tensors alone.
constexpr char kFormatKey[] = "stlab_checkpoint_format";
constexpr int64_t kFormatVersion = 1;

absl::StatusOr<NamedTensors> ReadModelTensors(const WeightsFile& file, const std::string& prefix) {
  torch::serialize::InputArchive archive;
  archive.load_from(file.bytes.data(), file.bytes.size());
  c10::IValue format;
  if (!archive.try_read(kFormatKey, format) || !format.isInt() ||
      format.toInt() != kFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", file.path.string(), "' is not an stlab checkpoint of format v", kFormatVersion));
  }
  torch::serialize::InputArchive model;
  if (!archive.try_read("model", model)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint '", file.path.string(), "' holds no model"));
  }
  NamedTensors tensors;
  for (const std::string& key : model.keys()) {
    if (!absl::StartsWith(key, prefix)) continue;
    at::Tensor tensor;
    if (!model.try_read(key, tensor, /*is_buffer=*/true)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint '", file.path.string(), "': model entry ", key, " is not a tensor"));
    }
    tensors.emplace(key.substr(prefix.size()), tensor);
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
  STLAB_ASSIGN_OR_RETURN(NamedTensors tensors,
                         CallAndCatch(absl::StrCat("reading checkpoint '", path_.string(), "'"),
                                      [&] { return ReadModelTensors(file, prefix_); }));
  STLAB_RETURN_IF_ERROR(LoadNamedTensors(tensors, where, strict_, module));
  std::lock_guard<std::mutex> lock(mutex_);
  sha256_hex_ = file.sha256_hex;
  return absl::OkStatus();
}

std::string CheckpointInitializer::Origin() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return DescribeOrigin("checkpoint", path_, sha256_hex_);
}

}  // namespace stlab::init
