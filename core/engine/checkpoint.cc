// Checkpoints as LibTorch archives with sub-archives for model, optimizer and
// run state.
#include "core/engine/checkpoint.h"

#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "ATen/CPUGeneratorImpl.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/status.h"
#include "torch/serialize/input-archive.h"
#include "torch/serialize/output-archive.h"
#include "torch/utils.h"

namespace stlab {
namespace {

constexpr char kFormatKey[] = "stlab_checkpoint_format";
constexpr int64_t kFormatVersion = 1;

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
  return WriteFileAtomically(path, bytes.str());
}

absl::Status LoadCheckpoint(const std::filesystem::path& path, torch::nn::Module& model,
                            torch::optim::Optimizer* optimizer, RunState* state) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat("checkpoint '", path.string(), "' does not exist"));
  }
  return CallAndCatch(absl::StrCat("loading checkpoint '", path.string(), "'"),
                      [&]() -> absl::Status {
                        torch::serialize::InputArchive archive;
                        archive.load_from(path.string());
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

absl::StatusOr<CheckpointContents> ReadCheckpoint(std::string_view bytes,
                                                  const std::filesystem::path& path) {
  return CallAndCatch(
      absl::StrCat("reading checkpoint '", path.string(), "'"),
      [&]() -> absl::StatusOr<CheckpointContents> {
        torch::serialize::InputArchive archive;
        archive.load_from(bytes.data(), bytes.size());
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

}  // namespace stlab
