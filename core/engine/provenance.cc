// Recording and describing what produced a checkpoint.
#include "core/engine/provenance.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sha256.h"
#include "core/version.h"

namespace stlab {
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

const std::string* Find(const RunState& state, const char* key) {
  auto it = state.text.find(key);
  return it == state.text.end() ? nullptr : &it->second;
}

}  // namespace

std::string ComponentText(const ComponentConfig& component) {
  std::vector<std::string> params;
  for (const auto& [name, value] : component.values) {
    params.push_back(absl::StrCat(name, "=", FormatParamValue(value)));
  }
  return absl::StrCat(component.type, "(", absl::StrJoin(params, ", "), ")");
}

void RecordProvenance(const ValidatedConfig& config, const std::string& method,
                      const std::string& init_origin, RunState& state) {
  state.text[kMethodKey] = method;
  state.text[kConfigKey] = Sha256Hex(config.ToToml());
  const ComponentConfig* data = config.Component("data.train");
  state.text[kDataKey] = data == nullptr ? "none" : ComponentText(*data);
  state.text[kInitKey] = init_origin;
  state.text[kVersionKey] = kStlabVersion;
}

std::string DescribeProvenance(const RunState& state) {
  const std::string* method = Find(state, kMethodKey);
  if (method == nullptr) method = Find(state, kLegacyMethodKey);
  const std::string* config = Find(state, kConfigKey);
  const std::string* data = Find(state, kDataKey);
  const std::string* version = Find(state, kVersionKey);
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
