// Name-by-name copy with strict and partial modes.
#include "plugins/init/named_tensors.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/logging.h"
#include "torch/utils.h"

namespace stlab::init {
namespace {

constexpr absl::string_view kBatchCounter = "num_batches_tracked";

std::string ShapeText(const at::Tensor& t) {
  return absl::StrCat("[", absl::StrJoin(t.sizes(), ", "), "]");
}

// What did not fit, by category, each in the order found.
struct Problems {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  std::vector<std::string> mismatched;

  bool empty() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }

  std::string Describe() const {
    std::vector<std::string> parts;
    if (!missing.empty()) {
      parts.push_back(absl::StrCat(missing.size(), " missing: ", absl::StrJoin(missing, ", ")));
    }
    if (!unexpected.empty()) {
      parts.push_back(
          absl::StrCat(unexpected.size(), " unexpected: ", absl::StrJoin(unexpected, ", ")));
    }
    if (!mismatched.empty()) {
      parts.push_back(absl::StrCat(mismatched.size(), " of another shape: ",
                                   absl::StrJoin(mismatched, ", ")));
    }
    return absl::StrJoin(parts, "; ");
  }
};

}  // namespace

absl::Status LoadNamedTensors(const NamedTensors& source, absl::string_view where, bool strict,
                              torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> targets;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    targets.emplace_back(item.key(), item.value());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    targets.emplace_back(item.key(), item.value());
  }

  Problems problems;
  std::vector<std::pair<at::Tensor, at::Tensor>> copies;
  std::set<std::string> known;
  for (auto& [name, target] : targets) {
    known.insert(name);
    const auto found = source.find(name);
    if (found == source.end()) {
      if (!absl::EndsWith(name, kBatchCounter)) problems.missing.push_back(name);
    } else if (!found->second.sizes().equals(target.sizes())) {
      problems.mismatched.push_back(absl::StrCat(name, " (", ShapeText(found->second),
                                                 " in the file, ", ShapeText(target),
                                                 " in the module)"));
    } else {
      copies.emplace_back(target, found->second);
    }
  }
  for (const auto& [name, tensor] : source) {
    if (known.count(name) == 0) problems.unexpected.push_back(name);
  }

  if (strict && !problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " does not fit the module: ", problems.Describe()));
  }
  if (copies.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " has nothing that fits the module", problems.empty() ? "" : ": ",
        problems.Describe()));
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, stored] : copies) target.copy_(stored);
  if (!problems.empty()) {
    LogWarning(absl::StrCat(where, ": loaded ", copies.size(), " of ", targets.size(),
                            " tensors, skipped ", problems.Describe()));
  }
  return absl::OkStatus();
}

}  // namespace stlab::init
