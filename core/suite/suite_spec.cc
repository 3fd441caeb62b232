// Reading suite files and expanding them into runs.
#include "core/suite/suite_spec.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/config/config_document.h"
#include "core/config/internal/toml_document.h"
#include "core/status.h"
#include "core/suite/claims.h"
#include "registry/param.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;
using config_internal::ErrorAt;
using config_internal::TomlTypeName;

// Collects errors while reading; every accessor records what it expected.
class SuiteReader {
 public:
  std::vector<ConfigError> errors;

  void Fail(const toml::node& node, const std::string& key, const std::string& message) {
    errors.push_back(ErrorAt(node, key, message));
  }

  // Every key of `table` must be in `known`.
  void CheckKeys(const toml::table& table, const std::string& path,
                 const std::set<std::string>& known) {
    for (const auto& [key, node] : table) {
      if (known.count(std::string(key.str())) == 0) {
        Fail(node, Join(path, std::string(key.str())),
             absl::StrCat("unknown key; expected one of: ", absl::StrJoin(known, ", ")));
      }
    }
  }

  std::optional<std::string> String(const toml::table& table, const std::string& path,
                                    const std::string& key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) {
      Fail(*node, Join(path, key), absl::StrCat("expected a string, got ", TomlTypeName(*node)));
      return std::nullopt;
    }
    return node->value<std::string>();
  }

  std::optional<int64_t> Int(const toml::table& table, const std::string& path,
                             const std::string& key, int64_t min, int64_t max) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    std::optional<int64_t> value = node->value_exact<int64_t>();
    if (!value || *value < min || *value > max) {
      Fail(*node, Join(path, key), absl::StrCat("expected an integer in [", min, ", ", max, "]"));
      return std::nullopt;
    }
    return value;
  }

  std::vector<std::string> Strings(const toml::table& table, const std::string& path,
                                   const std::string& key) {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    const toml::array* list = node->as_array();
    if (list == nullptr || !list->is_homogeneous(toml::node_type::string)) {
      if (list == nullptr || !list->empty()) {
        Fail(*node, Join(path, key), "expected a list of strings");
        return out;
      }
    }
    for (const toml::node& entry : *list) out.push_back(*entry.value<std::string>());
    return out;
  }

  // A path relative to the file that wrote `node`.
  static fs::path RelativeToFile(const toml::node& node, const std::string& value) {
    fs::path path(value);
    if (path.is_relative() && node.source().path) {
      path = fs::path(*node.source().path).parent_path() / path;
    }
    return fs::absolute(path).lexically_normal();
  }

  // A path that must name an existing file.
  std::optional<fs::path> ExistingFile(const toml::table& table, const std::string& path,
                                       const std::string& key) {
    std::optional<std::string> text = String(table, path, key);
    if (!text) return std::nullopt;
    const toml::node& node = *table.get(key);
    fs::path file = RelativeToFile(node, *text);
    std::error_code error;
    if (!fs::is_regular_file(file, error)) {
      Fail(node, Join(path, key), absl::StrCat("file '", file.string(), "' does not exist"));
      return std::nullopt;
    }
    return file;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : absl::StrCat(path, ".", key);
  }
};

// A value in TOML syntax, for an override; floats in their shortest exact form
// (0.2, not 0.20000000000000001).
std::string TomlOf(const toml::node& node) {
  if (std::optional<double> value = node.value_exact<double>()) {
    char text[64];
    const auto [end, error] = std::to_chars(text, text + sizeof(text), *value);
    std::string out(text, end);
    if (out.find_first_of(".eni") == std::string::npos) out += ".0";
    return out;
  }
  std::ostringstream out;
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

// A value as a level label: strings as they are, other values in TOML syntax.
std::string LabelOf(const toml::node& node) {
  if (std::optional<std::string> text = node.value<std::string>()) return *text;
  return TomlOf(node);
}

std::optional<AxisLevel> ReadNamedLevel(SuiteReader& reader, const toml::node& node,
                                        const std::string& path) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.Fail(node, path, "expected a table { name = \"...\", set = [...], layers = [...], "
                            "pretrain = \"...\", pretrain_set = [...], self_training = bool }");
    return std::nullopt;
  }
  reader.CheckKeys(*table, path,
                   {"name", "set", "layers", "pretrain", "pretrain_set", "self_training"});
  AxisLevel level;
  std::optional<std::string> name = reader.String(*table, path, "name");
  if (!name || name->empty()) {
    reader.Fail(node, path + ".name", "every level needs a non-empty name");
    return std::nullopt;
  }
  level.label = *name;
  level.overrides = reader.Strings(*table, path, "set");
  if (const toml::node* layers = table->get("layers")) {
    for (const std::string& layer : reader.Strings(*table, path, "layers")) {
      fs::path file = SuiteReader::RelativeToFile(*layers, layer);
      std::error_code error;
      if (!fs::is_regular_file(file, error)) {
        reader.Fail(*layers, path + ".layers", absl::StrCat("file '", file.string(), "' does not exist"));
      }
      level.layers.push_back(file);
    }
  }
  if (std::optional<fs::path> pretrain = reader.ExistingFile(*table, path, "pretrain")) {
    level.pretrain = *pretrain;
  }
  level.pretrain_overrides = reader.Strings(*table, path, "pretrain_set");
  if (!level.pretrain_overrides.empty() && level.pretrain.empty()) {
    reader.Fail(node, path + ".pretrain_set", "needs `pretrain` (a pre-training config)");
  }
  if (const toml::node* flag = table->get("self_training")) {
    if (!flag->is_boolean()) {
      reader.Fail(*flag, path + ".self_training", "expected true or false");
    } else {
      level.self_training = *flag->value<bool>();
    }
  }
  return level;
}

std::optional<SuiteAxis> ReadAxis(SuiteReader& reader, const std::string& name,
                                  const toml::node& node) {
  const std::string path = "axes." + name;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.Fail(node, path,
                "expected a table with `key` and `values`, or with `levels` (a list of tables)");
    return std::nullopt;
  }
  reader.CheckKeys(*table, path, {"key", "values", "levels"});
  SuiteAxis axis{name, {}};
  const toml::array* values = table->get_as<toml::array>("values");
  const toml::array* levels = table->get_as<toml::array>("levels");
  if ((values == nullptr) == (levels == nullptr)) {
    reader.Fail(node, path, "give either `values` (with `key`) or `levels`, not both or neither");
    return std::nullopt;
  }
  if (levels != nullptr) {
    if (table->contains("key")) reader.Fail(*table->get("key"), path + ".key", "only with `values`");
    for (size_t i = 0; i < levels->size(); ++i) {
      std::optional<AxisLevel> level =
          ReadNamedLevel(reader, *levels->get(i), absl::StrCat(path, ".levels[", i, "]"));
      if (level) axis.levels.push_back(*std::move(level));
    }
  } else {
    std::optional<std::string> key = reader.String(*table, path, "key");
    const bool self_training = name == kSelfTrainingAxis;
    if (!key && !self_training) {
      reader.Fail(node, path + ".key", "a `values` axis needs `key`, the config value it sets");
      return std::nullopt;
    }
    for (const toml::node& value : *values) {
      if (value.is_table() || value.is_array()) {
        reader.Fail(value, path + ".values", "expected plain values (numbers, strings, booleans)");
        continue;
      }
      AxisLevel level;
      level.label = LabelOf(value);
      if (key) level.overrides.push_back(absl::StrCat(*key, "=", TomlOf(value)));
      if (self_training) {
        if (!value.is_boolean()) {
          reader.Fail(value, path + ".values", "the self_training axis takes false and true");
          continue;
        }
        level.self_training = *value.value<bool>();
      }
      axis.levels.push_back(std::move(level));
    }
  }
  if (axis.levels.empty()) {
    reader.Fail(node, path, "an axis needs at least one level");
    return std::nullopt;
  }
  std::set<std::string> labels;
  for (const AxisLevel& level : axis.levels) {
    if (!labels.insert(level.label).second) {
      reader.Fail(node, path, absl::StrCat("level '", level.label, "' appears twice"));
    }
  }
  return axis;
}

// {axis = value, ...} with every axis and level known.
std::map<std::string, std::string> ReadMatch(SuiteReader& reader, const toml::node& node,
                                             const std::string& path,
                                             const std::vector<SuiteAxis>& axes) {
  std::map<std::string, std::string> match;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.Fail(node, path, "expected a table of axis = level");
    return match;
  }
  for (const auto& [key, value] : *table) {
    const std::string axis_name(key.str());
    auto axis = std::find_if(axes.begin(), axes.end(),
                             [&](const SuiteAxis& a) { return a.name == axis_name; });
    if (axis == axes.end()) {
      reader.Fail(value, path + "." + axis_name, "not an axis of this suite");
      continue;
    }
    const std::string label = LabelOf(value);
    if (std::none_of(axis->levels.begin(), axis->levels.end(),
                     [&](const AxisLevel& l) { return l.label == label; })) {
      reader.Fail(value, path + "." + axis_name,
                  absl::StrCat("'", label, "' is not a level of axis ", axis_name));
    }
    match[axis_name] = label;
  }
  return match;
}

const SuiteAxis* FindAxis(const std::vector<SuiteAxis>& axes, const std::string& name) {
  for (const SuiteAxis& axis : axes) {
    if (axis.name == name) return &axis;
  }
  return nullptr;
}

std::string AxisNames(const std::vector<SuiteAxis>& axes) {
  std::vector<std::string> names;
  for (const SuiteAxis& axis : axes) names.push_back(axis.name);
  return absl::StrJoin(names, ", ");
}

// `table`.axis of a claim: an axis of the suite other than the seed axis, which pairs
// the runs. `parent` is the table's node, for errors about a missing key.
const SuiteAxis* ReadClaimAxis(SuiteReader& reader, const toml::node& parent,
                               const toml::table& table, const std::string& path,
                               const std::vector<SuiteAxis>& axes) {
  std::optional<std::string> name = reader.String(table, path, "axis");
  if (!name) {
    if (!table.contains("axis")) reader.Fail(parent, path + ".axis", "missing: an axis of the suite");
    return nullptr;
  }
  const toml::node& node = *table.get("axis");
  const SuiteAxis* axis = FindAxis(axes, *name);
  if (axis == nullptr) {
    reader.Fail(node, path + ".axis", absl::StrCat("'", *name, "' is not an axis of this suite (axes: ",
                                                   AxisNames(axes), ")"));
  } else if (*name == kClaimSeedAxis) {
    reader.Fail(node, path + ".axis",
                absl::StrCat("'", kClaimSeedAxis, "' pairs the runs of a claim; name another axis"));
    return nullptr;
  }
  return axis;
}

// `table`.`key` of a claim: a level of `axis` (null: the axis is unknown, any
// label is taken), written as the axis writes it ("random", 0.2, true).
std::optional<std::string> ReadClaimLevel(SuiteReader& reader, const toml::node& parent,
                                          const toml::table& table, const std::string& path,
                                          const std::string& key, const SuiteAxis* axis) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    reader.Fail(parent, absl::StrCat(path, ".", key), "missing: a level of the axis");
    return std::nullopt;
  }
  if (node->is_table() || node->is_array()) {
    reader.Fail(*node, absl::StrCat(path, ".", key), "expected a level (a string, number or boolean)");
    return std::nullopt;
  }
  const std::string label = LabelOf(*node);
  if (axis != nullptr && std::none_of(axis->levels.begin(), axis->levels.end(),
                                      [&](const AxisLevel& l) { return l.label == label; })) {
    std::vector<std::string> labels;
    for (const AxisLevel& level : axis->levels) labels.push_back(level.label);
    reader.Fail(*node, absl::StrCat(path, ".", key),
                absl::StrCat("'", label, "' is not a level of axis ", axis->name, " (levels: ",
                             absl::StrJoin(labels, ", "), ")"));
    return std::nullopt;
  }
  return label;
}

// One [[report.claim]]; nullopt when it has errors (recorded in `reader`).
std::optional<SuiteClaim> ReadClaim(SuiteReader& reader, const toml::node& node,
                                    const std::string& path, const SuiteSpec& suite,
                                    std::set<std::string>& names) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.Fail(node, path, "expected a table { name, compare, expect, across, where, metric }");
    return std::nullopt;
  }
  const size_t errors = reader.errors.size();
  reader.CheckKeys(*table, path, {"name", "compare", "across", "expect", "metric", "where"});
  SuiteClaim claim;
  const toml::node* name = table->get("name");
  claim.name = reader.String(*table, path, "name").value_or("");
  if (name == nullptr || (name->is_string() && claim.name.empty())) {
    reader.Fail(name != nullptr ? *name : node, path + ".name",
                "missing: every claim needs a non-empty name");
  } else if (!claim.name.empty() && !names.insert(claim.name).second) {
    reader.Fail(*name, path + ".name", absl::StrCat("claim '", claim.name, "' appears twice"));
  }
  claim.metric = reader.String(*table, path, "metric").value_or(suite.report.metric);

  const std::string compare_path = path + ".compare";
  if (const toml::node* compare = table->get("compare"); compare == nullptr) {
    reader.Fail(node, compare_path,
                "missing: compare = { axis = \"...\", treatment = \"...\", control = \"...\" }");
  } else if (const toml::table* compare_table = compare->as_table(); compare_table == nullptr) {
    reader.Fail(*compare, compare_path, "expected a table { axis, treatment, control }");
  } else {
    reader.CheckKeys(*compare_table, compare_path, {"axis", "treatment", "control"});
    const SuiteAxis* axis = ReadClaimAxis(reader, *compare, *compare_table, compare_path, suite.axes);
    if (axis != nullptr) claim.axis = axis->name;
    std::optional<std::string> treatment =
        ReadClaimLevel(reader, *compare, *compare_table, compare_path, "treatment", axis);
    std::optional<std::string> control =
        ReadClaimLevel(reader, *compare, *compare_table, compare_path, "control", axis);
    if (treatment && control && *treatment == *control) {
      reader.Fail(*compare_table->get("control"), compare_path + ".control",
                  absl::StrCat("'", *control, "' is also the treatment; compare two levels"));
    }
    claim.treatment = treatment.value_or("");
    claim.control = control.value_or("");
  }

  if (const toml::node* across = table->get("across")) {
    const std::string across_path = path + ".across";
    if (const toml::table* across_table = across->as_table(); across_table == nullptr) {
      reader.Fail(*across, across_path, "expected a table { axis, from, to }");
    } else {
      reader.CheckKeys(*across_table, across_path, {"axis", "from", "to"});
      const SuiteAxis* axis = ReadClaimAxis(reader, *across, *across_table, across_path, suite.axes);
      if (axis != nullptr && axis->name == claim.axis) {
        reader.Fail(*across_table->get("axis"), across_path + ".axis",
                    absl::StrCat("'", axis->name, "' is the compared axis (compare.axis); go "
                                 "across another axis"));
      }
      std::optional<std::string> from =
          ReadClaimLevel(reader, *across, *across_table, across_path, "from", axis);
      std::optional<std::string> to = ReadClaimLevel(reader, *across, *across_table, across_path, "to", axis);
      if (from && to && *from == *to) {
        reader.Fail(*across_table->get("to"), across_path + ".to",
                    absl::StrCat("'", *to, "' is also `from`; go across two levels"));
      }
      if (axis != nullptr) claim.across = SuiteClaim::Across{axis->name, from.value_or(""), to.value_or("")};
    }
  }

  if (std::optional<std::string> expect = reader.String(*table, path, "expect")) {
    if (*expect == ClaimExpectationName(ClaimExpectation::kIncrease)) {
      claim.expect = ClaimExpectation::kIncrease;
    } else if (*expect == ClaimExpectationName(ClaimExpectation::kDecrease)) {
      claim.expect = ClaimExpectation::kDecrease;
    } else {
      reader.Fail(*table->get("expect"), path + ".expect",
                  absl::StrCat("expected \"increase\" or \"decrease\", got '", *expect, "'"));
    }
  } else if (!table->contains("expect")) {
    reader.Fail(node, path + ".expect",
                "missing: \"increase\" (treatment - control > 0 expected) or \"decrease\"");
  }

  if (const toml::node* where = table->get("where")) {
    claim.where = ReadMatch(reader, *where, path + ".where", suite.axes);
    for (const auto& [axis, label] : claim.where) {
      const bool compared = axis == claim.axis || (claim.across && axis == claim.across->axis);
      if (compared || axis == kClaimSeedAxis) {
        reader.Fail(*where->as_table()->get(axis), absl::StrCat(path, ".where.", axis),
                    compared ? "the claim compares this axis; `where` fixes the others"
                             : "seeds pair the runs of a claim; `where` cannot fix them");
      }
    }
  }
  if (FindAxis(suite.axes, kClaimSeedAxis) == nullptr) {
    reader.Fail(node, path,
                absl::StrCat("claim '", claim.name, "' needs a `", kClaimSeedAxis,
                             "` axis: its seeds pair treatment and control runs"));
  }
  if (reader.errors.size() != errors) return std::nullopt;
  return claim;
}

// Every claim must have a cell among the suite's runs (exclusions can leave none).
void CheckClaimsHaveCells(SuiteReader& reader, const SuiteSpec& suite,
                          const std::vector<const toml::node*>& claim_nodes,
                          const std::vector<std::string>& claim_paths) {
  std::vector<SuiteRunResult> runs;
  for (const SuiteCell& cell : ExpandSuite(suite)) {
    SuiteRunResult& run = runs.emplace_back();
    run.factors = cell.factors;
    run.self_training = cell.self_training;
    run.status = "pending";
  }
  const std::vector<ClaimResult> results = EvaluateClaims(suite.report.claims, runs);
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].cells.empty()) continue;
    reader.Fail(*claim_nodes[i], claim_paths[i],
                absl::StrCat("claim '", results[i].claim.name,
                             "' has no cell: no seed of any combination of the other axes has "
                             "every run it compares (see [[exclude]] and `where`)"));
  }
}

bool Matches(const std::map<std::string, std::string>& match,
             const std::vector<std::pair<std::string, std::string>>& factors) {
  for (const auto& [axis, label] : match) {
    auto it = std::find_if(factors.begin(), factors.end(),
                           [&](const auto& f) { return f.first == axis; });
    if (it == factors.end() || it->second != label) return false;
  }
  return true;
}

}  // namespace

std::string SuiteCell::Name() const {
  std::vector<std::string> parts;
  for (const auto& [axis, label] : factors) parts.push_back(absl::StrCat(axis, "=", label));
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<SuiteSpec> LoadSuiteSpec(const fs::path& file,
                                        const std::vector<std::string>& overrides) {
  STLAB_ASSIGN_OR_RETURN(ConfigDocument document, ConfigDocument::Load(file, overrides));
  const toml::table& root = document.impl().root;
  SuiteReader reader;
  reader.CheckKeys(root, "", {"suite", "axes", "exclude", "override", "report"});
  SuiteSpec suite;
  suite.file = fs::absolute(file).lexically_normal();

  const toml::table* header = root.get_as<toml::table>("suite");
  if (header == nullptr) {
    return ConfigErrorsToStatus({ConfigError{file.string(), 0, 0, "suite",
                                             "missing [suite] table (name, experiment, ...)"}});
  }
  reader.CheckKeys(*header, "suite",
                   {"name", "experiment", "set", "output_dir", "cache_dir", "workers",
                    "threads_per_worker"});
  suite.name = reader.String(*header, "suite", "name").value_or(file.stem().string());
  // The report folder is output_dir / name: the name is one entry of it, as run.name is.
  if (absl::StatusOr<ParamValue> name =
          ParamSpec::String("name", "", "").FileName().Accept(suite.name);
      !name.ok() && header->contains("name")) {
    reader.Fail(*header->get("name"), "suite.name", std::string(name.status().message()));
  }
  if (std::optional<fs::path> experiment = reader.ExistingFile(*header, "suite", "experiment")) {
    suite.experiment = *experiment;
  } else if (!header->contains("experiment")) {
    reader.Fail(*header, "suite.experiment", "missing: the base experiment config (a file)");
  }
  suite.overrides = reader.Strings(*header, "suite", "set");
  suite.output_dir = reader.String(*header, "suite", "output_dir").value_or("runs/suites");
  suite.cache_dir = reader.String(*header, "suite", "cache_dir").value_or("runs/stage_cache");
  suite.workers = static_cast<int>(reader.Int(*header, "suite", "workers", 1, 256).value_or(1));
  suite.threads_per_worker =
      static_cast<int>(reader.Int(*header, "suite", "threads_per_worker", 1, 1024).value_or(1));

  if (const toml::table* axes = root.get_as<toml::table>("axes")) {
    for (const auto& [name, node] : *axes) {
      if (std::optional<SuiteAxis> axis = ReadAxis(reader, std::string(name.str()), node)) {
        suite.axes.push_back(*std::move(axis));
      }
    }
  }
  if (const toml::node* exclusions = root.get("exclude")) {
    if (const toml::array* list = exclusions->as_array()) {
      for (size_t i = 0; i < list->size(); ++i) {
        suite.exclusions.push_back(
            ReadMatch(reader, *list->get(i), absl::StrCat("exclude[", i, "]"), suite.axes));
      }
    } else {
      reader.Fail(*exclusions, "exclude", "expected [[exclude]] tables of axis = level");
    }
  }
  if (const toml::node* cell_overrides = root.get("override")) {
    const toml::array* list = cell_overrides->as_array();
    if (list == nullptr) {
      reader.Fail(*cell_overrides, "override", "expected [[override]] tables");
    } else {
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = absl::StrCat("override[", i, "]");
        const toml::table* table = list->get(i)->as_table();
        if (table == nullptr) {
          reader.Fail(*list->get(i), path, "expected a table { where = {...}, set = [...] }");
          continue;
        }
        reader.CheckKeys(*table, path, {"where", "set"});
        SuiteSpec::CellOverride cell_override;
        if (const toml::node* where = table->get("where")) {
          cell_override.where = ReadMatch(reader, *where, path + ".where", suite.axes);
        }
        cell_override.overrides = reader.Strings(*table, path, "set");
        suite.cell_overrides.push_back(std::move(cell_override));
      }
    }
  }

  auto has_axis = [&suite](const std::string& name) { return FindAxis(suite.axes, name) != nullptr; };
  SuiteReportLayout& layout = suite.report;
  const toml::table* report = root.get_as<toml::table>("report");
  const toml::table empty;
  const toml::table& report_table = report != nullptr ? *report : empty;
  reader.CheckKeys(report_table, "report",
                   {"metric", "rows", "columns", "baseline", "average", "x", "claim"});
  layout.metric = reader.String(report_table, "report", "metric").value_or(layout.metric);
  layout.rows = reader.Strings(report_table, "report", "rows");
  if (report_table.contains("average")) layout.average = reader.Strings(report_table, "report", "average");
  if (std::optional<std::string> columns = reader.String(report_table, "report", "columns")) {
    layout.columns = *columns;
  } else if (!has_axis(layout.columns)) {
    // Default: the first axis that is neither averaged over nor self-training.
    for (const SuiteAxis& axis : suite.axes) {
      if (axis.name != kSelfTrainingAxis &&
          std::find(layout.average.begin(), layout.average.end(), axis.name) == layout.average.end()) {
        layout.columns = axis.name;
        break;
      }
    }
  }
  layout.x = reader.String(report_table, "report", "x").value_or(layout.x);
  const SuiteAxis* columns_axis = FindAxis(suite.axes, layout.columns);
  if (columns_axis == nullptr && !suite.axes.empty()) {
    reader.Fail(report != nullptr ? *report : *header, "report.columns",
                absl::StrCat("'", layout.columns, "' is not an axis of this suite"));
  }
  for (const std::string& row : layout.rows) {
    if (!has_axis(row)) {
      reader.Fail(*report->get("rows"), "report.rows", absl::StrCat("'", row, "' is not an axis"));
    }
  }
  if (std::optional<std::string> baseline = reader.String(report_table, "report", "baseline")) {
    layout.baseline = *baseline;
    if (columns_axis != nullptr &&
        std::none_of(columns_axis->levels.begin(), columns_axis->levels.end(),
                     [&](const AxisLevel& l) { return l.label == *baseline; })) {
      reader.Fail(*report->get("baseline"), "report.baseline",
                  absl::StrCat("'", *baseline, "' is not a level of axis ", layout.columns));
    }
  } else if (columns_axis != nullptr) {
    layout.baseline = columns_axis->levels.front().label;
  }
  std::vector<const toml::node*> claim_nodes;
  std::vector<std::string> claim_paths;
  if (const toml::node* claims = report_table.get("claim")) {
    if (const toml::array* list = claims->as_array(); list == nullptr) {
      reader.Fail(*claims, "report.claim", "expected [[report.claim]] tables");
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = absl::StrCat("report.claim[", i, "]");
        std::optional<SuiteClaim> claim = ReadClaim(reader, *list->get(i), path, suite, names);
        if (!claim) continue;
        layout.claims.push_back(*std::move(claim));
        claim_nodes.push_back(list->get(i));
        claim_paths.push_back(path);
      }
    }
  }
  if (reader.errors.empty() && !layout.claims.empty()) {
    CheckClaimsHaveCells(reader, suite, claim_nodes, claim_paths);
  }
  STLAB_RETURN_IF_ERROR(ConfigErrorsToStatus(reader.errors));
  return suite;
}

std::vector<SuiteCell> ExpandSuite(const SuiteSpec& suite) {
  std::vector<SuiteCell> cells;
  std::vector<size_t> index(suite.axes.size(), 0);
  while (true) {
    SuiteCell cell;
    cell.layers.push_back(suite.experiment);
    cell.overrides = suite.overrides;
    for (size_t a = 0; a < suite.axes.size(); ++a) {
      const AxisLevel& level = suite.axes[a].levels[index[a]];
      cell.factors.emplace_back(suite.axes[a].name, level.label);
      cell.layers.insert(cell.layers.end(), level.layers.begin(), level.layers.end());
      cell.overrides.insert(cell.overrides.end(), level.overrides.begin(), level.overrides.end());
      if (!level.pretrain.empty()) {
        cell.pretrain = level.pretrain;
        cell.pretrain_overrides = level.pretrain_overrides;
      }
      if (level.self_training) cell.self_training = *level.self_training;
    }
    const bool excluded = std::any_of(suite.exclusions.begin(), suite.exclusions.end(),
                                      [&](const auto& match) { return Matches(match, cell.factors); });
    if (!excluded) {
      for (const SuiteSpec::CellOverride& o : suite.cell_overrides) {
        if (Matches(o.where, cell.factors)) {
          cell.overrides.insert(cell.overrides.end(), o.overrides.begin(), o.overrides.end());
        }
      }
      cells.push_back(std::move(cell));
    }
    // Odometer: the last axis varies fastest.
    size_t a = suite.axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < suite.axes[a].levels.size()) break;
      index[a] = 0;
      if (a == 0) return cells;
    }
    if (suite.axes.empty()) return cells;
  }
}

}  // namespace stlab
