// Recording what produced a checkpoint from a run's config.
#include "core/engine/provenance.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/sha256.h"
#include "core/version.h"

namespace stlab {

std::string ComponentText(const ComponentConfig& component) {
  std::vector<std::string> params;
  for (const auto& [name, value] : component.values) {
    params.push_back(absl::StrCat(name, "=", FormatParamValue(value)));
  }
  return absl::StrCat(component.type, "(", absl::StrJoin(params, ", "), ")");
}

void RecordProvenance(const ValidatedConfig& config, const std::string& method,
                      const std::string& init_origin, RunState& state) {
  const ComponentConfig* data = config.Component("data.train");
  StoreProvenance({method, Sha256Hex(config.ToToml()),
                   data == nullptr ? "none" : ComponentText(*data), init_origin, kStlabVersion},
                  state);
}

}  // namespace stlab
