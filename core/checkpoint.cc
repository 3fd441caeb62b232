// Checkpoints as LibTorch archives with sub-archives for model, optimizer and
// run state, behind a one-line header with the archive's SHA-256:
//   "STLABCKPT v2 bytes=<archive size> sha256=<hex>\n" <LibTorch archive>
// The digest is checked before LibTorch parses a byte, so a damaged file is an
// error naming it rather than wrong weights (or a crash in the parser).
#include "core/checkpoint.h"

#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "ATen/CPUGeneratorImpl.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/atomic_file.h"
#include "core/file_bytes.h"
#include "core/logging.h"
#include "core/sha256.h"
#include "core/status.h"
#include "torch/serialize/input-archive.h"
#include "torch/serialize/output-archive.h"
#include "torch/utils.h"

namespace stlab {
namespace {

constexpr char kFormatKey[] = "stlab_checkpoint_format";
// v2: the SHA-256 header. v1 files (bare LibTorch archives) are refused.
constexpr int64_t kFormatVersion = 2;
constexpr char kMagic[] = "STLABCKPT";

std::string Header(std::string_view archive) {
  return absl::StrCat(kMagic, " v", kFormatVersion, " bytes=", archive.size(), " sha256=",
                      Sha256Hex(archive), "\n");
}

// The archive inside a checkpoint file's `bytes`, once its header and digest
// check out: DataLoss for a damaged or truncated file, InvalidArgument for one
// that is not a checkpoint of this format.
absl::StatusOr<std::string_view> VerifiedArchive(std::string_view bytes,
                                                 const std::filesystem::path& path) {
  const std::string name = absl::StrCat("checkpoint '", path.string(), "'");
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " has checkpoint format v1 (a bare LibTorch archive, before checkpoints "
              "carried a checksum) or is another LibTorch file; this stlab reads format v",
        kFormatVersion, ": train it again with this stlab"));
  }
  const size_t newline = bytes.find('\n');
  if (bytes.substr(0, sizeof(kMagic) - 1) != kMagic || newline == std::string_view::npos ||
      newline > 256) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is not an stlab checkpoint"));
  }
  const std::vector<std::string> fields =
      absl::StrSplit(absl::string_view(bytes.data(), newline), ' ');
  int64_t version = 0;
  uint64_t size = 0;
  if (fields.size() != 4 || fields[1].substr(0, 1) != "v" ||
      !absl::SimpleAtoi(fields[1].substr(1), &version) ||
      fields[2].substr(0, 6) != "bytes=" || !absl::SimpleAtoi(fields[2].substr(6), &size) ||
      fields[3].substr(0, 7) != "sha256=" || fields[3].size() != 7 + 64) {
    return absl::DataLossError(absl::StrCat(name, " is damaged: its header is unreadable"));
  }
  if (version != kFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(name, " has checkpoint format v", version,
                                                   "; this stlab reads format v", kFormatVersion));
  }
  const std::string_view archive = bytes.substr(newline + 1);
  if (archive.size() != size) {
    return absl::DataLossError(absl::StrCat(name, " is damaged: its header records ", size,
                                            " bytes of weights, the file holds ", archive.size(),
                                            " (truncated or appended to)"));
  }
  if (Sha256Hex(archive) != fields[3].substr(7)) {
    return absl::DataLossError(absl::StrCat(
        name, " is damaged: its SHA-256 differs from the one recorded when it was written"));
  }
  return archive;
}


// Parameters and buffers by their full dotted names ("layer1.0.conv1.weight").
// NOTE: saved flat rather than with Module::save, whose load silently accepts a
// tensor of another shape; here every name and shape is checked.
std::vector<std::pair<std::string, at::Tensor>> NamedState(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    out.emplace_back(item.key(), item.value());
  }
  for (const auto& item : model.named_buffers(/*recurse=*/true)) {
    out.emplace_back(item.key(), item.value());
  }
  return out;
}

std::string ShapeText(const at::Tensor& t) {
  std::vector<std::string> dims;
  for (int64_t d : t.sizes()) dims.push_back(absl::StrCat(d));
  return absl::StrCat("[", absl::StrJoin(dims, ", "), "]");
}

// Copies every tensor of `archive` into `model`, all or nothing.
absl::Status LoadModelStrictly(torch::serialize::InputArchive& archive,
                               torch::nn::Module& model, const std::string& where) {
  std::vector<std::string> problems;
  std::vector<std::pair<at::Tensor, at::Tensor>> copies;
  std::set<std::string> expected;
  for (auto& [name, target] : NamedState(model)) {
    expected.insert(name);
    at::Tensor stored;
    if (!archive.try_read(name, stored)) {
      problems.push_back(absl::StrCat("missing ", name));
    } else if (!stored.sizes().equals(target.sizes())) {
      problems.push_back(absl::StrCat(name, " has shape ", ShapeText(stored), " in the file but ",
                                      ShapeText(target), " in the model"));
    } else {
      copies.emplace_back(target, stored);
    }
  }
  for (const std::string& key : archive.keys()) {
    if (expected.count(key) == 0) problems.push_back(absl::StrCat("unexpected ", key));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " does not fit the model: ",
                                                   absl::StrJoin(problems, "; ")));
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, stored] : copies) target.copy_(stored);
  return absl::OkStatus();
}

// An error unless `archive` carries this format's marker.
absl::Status CheckFormat(torch::serialize::InputArchive& archive,
                         const std::filesystem::path& path) {
  c10::IValue format;
  if (!archive.try_read(kFormatKey, format) || !format.isInt() ||
      format.toInt() != kFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path.string(), "' is not an stlab checkpoint of format v", kFormatVersion));
  }
  return absl::OkStatus();
}

RunState ReadRunState(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive run;
  archive.read("run", run);
  RunState state;
  for (const std::string& key : run.keys()) {
    if (key.rfind("tensor/", 0) == 0) {
      at::Tensor tensor;
      run.read(key, tensor, /*is_buffer=*/true);
      state.tensors[key.substr(7)] = tensor;
      continue;
    }
    c10::IValue value;
    run.read(key, value);
    if (key == "iteration") {
      state.iteration = value.toInt();
    } else if (key.rfind("scalar/", 0) == 0) {
      state.scalars[key.substr(7)] = value.toDouble();
    } else if (key.rfind("text/", 0) == 0) {
      state.text[key.substr(5)] = value.toStringRef();
    }
  }
  return state;
}

constexpr char kTorchGeneratorKey[] = "rng/torch_cpu";
constexpr char kFinalMetricPrefix[] = "final/";

}  // namespace

void StoreTorchGeneratorState(RunState& state) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  state.tensors[kTorchGeneratorKey] = generator.get_state();
}

void RestoreTorchGeneratorState(const RunState& state) {
  auto it = state.tensors.find(kTorchGeneratorKey);
  if (it == state.tensors.end()) return;
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(it->second);
}

void StoreFinalMetrics(const std::map<std::string, double>& metrics, RunState& state) {
  for (const auto& [name, value] : metrics) {
    state.scalars[absl::StrCat(kFinalMetricPrefix, name)] = value;
  }
}

std::map<std::string, double> FinalMetricsOf(const RunState& state) {
  std::map<std::string, double> metrics;
  for (const auto& [key, value] : state.scalars) {
    if (key.rfind(kFinalMetricPrefix, 0) == 0) {
      metrics[key.substr(sizeof(kFinalMetricPrefix) - 1)] = value;
    }
  }
  return metrics;
}

absl::Status SaveCheckpoint(const std::filesystem::path& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer, const RunState& state) {
  std::ostringstream bytes;
  STLAB_RETURN_IF_ERROR(CallAndCatch(
      absl::StrCat("saving checkpoint '", path.string(), "'"), [&]() -> absl::Status {
        torch::serialize::OutputArchive archive;
        archive.write(kFormatKey, c10::IValue(kFormatVersion));
        torch::serialize::OutputArchive model_archive;
        for (const auto& [name, tensor] : NamedState(model)) {
          model_archive.write(name, tensor, /*is_buffer=*/true);
        }
        archive.write("model", model_archive);
        if (optimizer != nullptr) {
          torch::serialize::OutputArchive optimizer_archive;
          optimizer->save(optimizer_archive);
          archive.write("optimizer", optimizer_archive);
        }
        torch::serialize::OutputArchive run;
        run.write("iteration", c10::IValue(state.iteration));
        for (const auto& [key, value] : state.scalars) {
          run.write(absl::StrCat("scalar/", key), c10::IValue(value));
        }
        for (const auto& [key, value] : state.text) {
          run.write(absl::StrCat("text/", key), c10::IValue(value));
        }
        for (const auto& [key, value] : state.tensors) {
          run.write(absl::StrCat("tensor/", key), value, /*is_buffer=*/true);
        }
        archive.write("run", run);
        archive.save_to(bytes);
        return absl::OkStatus();
      }));
  const std::string archive = std::move(bytes).str();
  return WriteFileAtomically(path, Header(archive) + archive);
}

absl::Status LoadCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                            torch::optim::Optimizer* optimizer, RunState* state) {
  STLAB_ASSIGN_OR_RETURN(const std::string bytes, ReadFileBytes(path, "checkpoint"));
  STLAB_ASSIGN_OR_RETURN(const std::string_view verified, VerifiedArchive(bytes, path));
  return CallAndCatch(absl::StrCat("loading checkpoint '", path.string(), "'"),
                      [&]() -> absl::Status {
                        torch::serialize::InputArchive archive;
                        archive.load_from(verified.data(), verified.size());
                        STLAB_RETURN_IF_ERROR(CheckFormat(archive, path));
                        torch::serialize::InputArchive model_archive;
                        archive.read("model", model_archive);
                        STLAB_RETURN_IF_ERROR(LoadModelStrictly(
                            model_archive, model, absl::StrCat("checkpoint '", path.string(), "'")));
                        if (optimizer != nullptr) {
                          torch::serialize::InputArchive optimizer_archive;
                          if (!archive.try_read("optimizer", optimizer_archive)) {
                            return absl::InvalidArgumentError(absl::StrCat(
                                "checkpoint '", path.string(), "' holds no optimizer state"));
                          }
                          optimizer->load(optimizer_archive);
                        }
                        if (state != nullptr) *state = ReadRunState(archive);
                        return absl::OkStatus();
                      });
}

std::filesystem::path PreviousCheckpointPath(const std::filesystem::path& path) {
  return std::filesystem::path(path).replace_extension(".previous" + path.extension().string());
}

bool HasRollingCheckpoint(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::exists(path, error) ||
         std::filesystem::exists(PreviousCheckpointPath(path), error);
}

absl::Status SaveRollingCheckpoint(const std::filesystem::path& path,
                                   const torch::nn::Module& model,
                                   const torch::optim::Optimizer* optimizer,
                                   const RunState& state) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    std::filesystem::rename(path, PreviousCheckpointPath(path), error);
    if (error) {
      return absl::InternalError(absl::StrCat("cannot keep checkpoint '", path.string(), "' as '",
                                              PreviousCheckpointPath(path).string(),
                                              "': ", error.message()));
    }
  }
  return SaveCheckpoint(path, model, optimizer, state);
}

absl::StatusOr<std::filesystem::path> LoadRollingCheckpoint(const std::filesystem::path& path,
                                                            torch::nn::Module& model,
                                                            torch::optim::Optimizer* optimizer,
                                                            RunState* state) {
  const std::filesystem::path previous = PreviousCheckpointPath(path);
  absl::Status latest = LoadCheckpoint(path, model, optimizer, state);
  if (latest.ok()) return path;
  std::error_code error;
  const bool fall_back = (absl::IsDataLoss(latest) || absl::IsNotFound(latest)) &&
                         std::filesystem::exists(previous, error);
  if (!fall_back) return latest;
  absl::Status earlier = LoadCheckpoint(previous, model, optimizer, state);
  if (!earlier.ok()) {
    return absl::DataLossError(absl::StrCat(latest.message(), "; and the one before: ",
                                            earlier.message()));
  }
  LogWarning(absl::StrCat(latest.message(), "; resuming from the one before, '",
                          previous.string(), "' (iteration ", state ? state->iteration : 0, ")"));
  return previous;
}

absl::StatusOr<CheckpointContents> ReadCheckpoint(std::string_view bytes,
                                                  const std::filesystem::path& path) {
  return CallAndCatch(
      absl::StrCat("reading checkpoint '", path.string(), "'"),
      [&]() -> absl::StatusOr<CheckpointContents> {
        STLAB_ASSIGN_OR_RETURN(const std::string_view verified, VerifiedArchive(bytes, path));
        torch::serialize::InputArchive archive;
        archive.load_from(verified.data(), verified.size());
        STLAB_RETURN_IF_ERROR(CheckFormat(archive, path));
        torch::serialize::InputArchive model;
        if (!archive.try_read("model", model)) {
          return absl::InvalidArgumentError(
              absl::StrCat("checkpoint '", path.string(), "' holds no model"));
        }
        CheckpointContents contents;
        for (const std::string& key : model.keys()) {
          at::Tensor tensor;
          if (!model.try_read(key, tensor, /*is_buffer=*/true)) {
            return absl::InvalidArgumentError(absl::StrCat(
                "checkpoint '", path.string(), "': model entry ", key, " is not a tensor"));
          }
          contents.model.emplace(key, tensor);
        }
        contents.state = ReadRunState(archive);
        return contents;
      });
}

namespace {

constexpr char kMethodKey[] = "method";
// NOTE: backbone.pt files written before provenance was recorded name their method
// under this key; they are still described.
constexpr char kLegacyMethodKey[] = "pretrain/method";
constexpr char kConfigKey[] = "config_sha256";
constexpr char kDataKey[] = "data";
constexpr char kInitKey[] = "init";
constexpr char kVersionKey[] = "stlab_version";

// Digits of the config digest shown in a description, as DescribeOrigin shows a
// file's.
constexpr size_t kShownDigits = 12;

const std::string* FindText(const RunState& state, const char* key) {
  auto it = state.text.find(key);
  return it == state.text.end() ? nullptr : &it->second;
}

}  // namespace

void StoreProvenance(const Provenance& provenance, RunState& state) {
  state.text[kMethodKey] = provenance.method;
  state.text[kConfigKey] = provenance.config_sha256;
  state.text[kDataKey] = provenance.data;
  state.text[kInitKey] = provenance.init;
  state.text[kVersionKey] = provenance.stlab_version;
}

std::string DescribeProvenance(const RunState& state) {
  const std::string* method = FindText(state, kMethodKey);
  if (method == nullptr) method = FindText(state, kLegacyMethodKey);
  const std::string* config = FindText(state, kConfigKey);
  const std::string* data = FindText(state, kDataKey);
  const std::string* version = FindText(state, kVersionKey);
  if (method == nullptr && config == nullptr && data == nullptr && version == nullptr) return "";
  std::vector<std::string> parts;
  if (method != nullptr) parts.push_back(*method);
  parts.push_back(absl::StrCat(state.iteration, " iterations"));
  if (config != nullptr) {
    parts.push_back(absl::StrCat("config sha256:", config->substr(0, kShownDigits)));
  }
  if (data != nullptr) parts.push_back(absl::StrCat("data ", *data));
  if (version != nullptr) parts.push_back(absl::StrCat("stlab ", *version));
  return absl::StrJoin(parts, ", ");
}

}  // namespace stlab
