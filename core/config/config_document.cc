// Reading config files: parse, resolve `base` inheritance with deep merge, apply
// command-line overrides. Values keep their source position through the merge
// (toml++ preserves it on move, not on copy, so the merge only moves).
#include "core/config/config_document.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/config/internal/toml_document.h"
#include "core/file_bytes.h"
#include "core/status.h"

namespace stlab {
namespace config_internal {

ConfigError ErrorAt(const toml::node& node, std::string key_path, std::string message) {
  const toml::source_region& source = node.source();
  ConfigError error;
  error.file = source.path ? *source.path : "<config>";
  error.line = static_cast<int>(source.begin.line);
  error.column = static_cast<int>(source.begin.column);
  error.key_path = std::move(key_path);
  error.message = std::move(message);
  return error;
}

const char* TomlTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "int";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "bool";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

absl::Status ParseErrorStatus(const toml::parse_error& e, const std::string& origin) {
  ConfigError error;
  error.file = e.source().path ? *e.source().path : origin;
  error.line = static_cast<int>(e.source().begin.line);
  error.column = static_cast<int>(e.source().begin.column);
  error.message = absl::StrCat("TOML syntax error: ", std::string(e.description()));
  return ConfigErrorsToStatus({error});
}

namespace {

// Destroys `root` without recursion: a table nested thousands deep would otherwise
// overflow the stack in its destructor. Children are moved out level by level, so
// each table dies with nothing nested under it.
void DismantleWithoutRecursion(toml::table&& root) {
  std::vector<toml::table> pending;
  pending.push_back(std::move(root));
  while (!pending.empty()) {
    toml::table table = std::move(pending.back());
    pending.pop_back();
    std::vector<toml::array*> arrays;
    for (auto&& [key, node] : table) {
      if (toml::table* child = node.as_table()) pending.push_back(std::move(*child));
      if (toml::array* child = node.as_array()) arrays.push_back(child);
    }
    while (!arrays.empty()) {
      toml::array* array = arrays.back();
      arrays.pop_back();
      for (toml::node& element : *array) {
        if (toml::table* child = element.as_table()) pending.push_back(std::move(*child));
        if (toml::array* child = element.as_array()) arrays.push_back(child);
      }
    }
  }
}

}  // namespace

namespace {

absl::Status RejectLongDottedKeys(std::string_view text, const std::string& origin) {
  // toml++ recurses once per part of a dotted key, so a key of 100,000 parts
  // overflows the stack inside the parser: such keys are refused before it runs.
  // A lexical scan: runs of key characters, dots and quoted parts, outside
  // comments and string values' contents.
  int line = 1;
  size_t line_start = 0;
  int dots = 0;
  enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } state =
      State::kCode;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line, line_start = i + 1;
    switch (state) {
      case State::kComment:
        if (c == '\n') state = State::kCode;
        continue;
      case State::kBasic:
        if (c == '\\') ++i;
        else if (c == '"' || c == '\n') state = State::kCode;
        continue;
      case State::kLiteral:
        if (c == '\'' || c == '\n') state = State::kCode;
        continue;
      case State::kMultiBasic:
        if (c == '\\') ++i;
        else if (text.substr(i, 3) == "\"\"\"") state = State::kCode, i += 2;
        continue;
      case State::kMultiLiteral:
        if (text.substr(i, 3) == "'''") state = State::kCode, i += 2;
        continue;
      case State::kCode:
        break;
    }
    if (c == '#') {
      state = State::kComment;
    } else if (text.substr(i, 3) == "\"\"\"") {
      state = State::kMultiBasic, i += 2;
    } else if (text.substr(i, 3) == "'''") {
      state = State::kMultiLiteral, i += 2;
    } else if (c == '"') {
      state = State::kBasic;
    } else if (c == '\'') {
      state = State::kLiteral;
    } else if (c == '.') {
      if (++dots >= kMaxConfigDepth) {
        ConfigError error;
        error.file = origin;
        error.line = line;
        error.column = static_cast<int>(i - line_start) + 1;
        error.message = absl::StrCat("a dotted key of more than ", kMaxConfigDepth,
                                     " parts; a config nests at most ", kMaxConfigDepth,
                                     " tables deep");
        return ConfigErrorsToStatus({error});
      }
    } else if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                 c == ' ' || c == '\t')) {
      dots = 0;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<toml::table> ParseToml(std::string_view text, const std::string& origin) {
  STLAB_RETURN_IF_ERROR(RejectLongDottedKeys(text, origin));
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return ParseErrorStatus(e, origin);
  }
  STLAB_RETURN_IF_ERROR(RejectDeepNesting(table));
  return table;
}

absl::Status RejectDeepNesting(toml::table& root) {
  struct Frame {
    const toml::node* node;
    int depth;
    std::string path;
  };
  std::vector<Frame> stack = {{&root, 0, ""}};
  while (!stack.empty()) {
    Frame frame = std::move(stack.back());
    stack.pop_back();
    if (frame.depth > kMaxConfigDepth) {
      ConfigError error = ErrorAt(*frame.node, frame.path + "...",
                                  absl::StrCat("nests more than ", kMaxConfigDepth,
                                               " tables and arrays deep; a config needs a few"));
      DismantleWithoutRecursion(std::move(root));
      root = toml::table{};
      return ConfigErrorsToStatus({error});
    }
    // The path names the first levels only: enough to find the place.
    auto child_path = [&](const std::string& step) {
      return frame.depth < 4 ? absl::StrCat(frame.path, frame.path.empty() ? "" : ".", step)
                             : frame.path;
    };
    if (const toml::table* table = frame.node->as_table()) {
      for (auto&& [key, node] : *table) {
        stack.push_back({&node, frame.depth + 1, child_path(std::string(key.str()))});
      }
    } else if (const toml::array* array = frame.node->as_array()) {
      for (size_t i = 0; i < array->size(); ++i) {
        stack.push_back({array->get(i), frame.depth + 1, child_path(absl::StrCat("[", i, "]"))});
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& file) {
  STLAB_ASSIGN_OR_RETURN(const std::string text, ReadFileBytes(file, "config file"));
  return ParseToml(text, file.string());
}

}  // namespace config_internal

namespace {

namespace fs = std::filesystem;
using config_internal::ErrorAt;
using config_internal::ParseErrorStatus;
using config_internal::ParseTomlFile;



bool WantsReplace(const toml::table& table) {
  const toml::node* marker = table.get(kReplaceKey);
  return marker != nullptr && marker->value_or(false);
}

// Removes `_replace_` markers, checking that each is a boolean.
void StripReplaceMarkers(toml::table& table, const std::string& path,
                         std::vector<ConfigError>& errors) {
  if (const toml::node* marker = table.get(kReplaceKey)) {
    if (!marker->is_boolean()) {
      errors.push_back(ErrorAt(*marker, absl::StrCat(path, path.empty() ? "" : ".", kReplaceKey),
                               absl::StrCat("must be a bool, got ",
                                            config_internal::TomlTypeName(*marker))));
    }
    table.erase(kReplaceKey);
  }
  for (auto&& [key, node] : table) {
    const std::string child = path.empty() ? std::string(key.str()) : absl::StrCat(path, ".", std::string(key.str()));
    if (toml::table* t = node.as_table()) StripReplaceMarkers(*t, child, errors);
    if (toml::array* a = node.as_array()) {
      for (size_t i = 0; i < a->size(); ++i) {
        if (toml::table* t = a->get(i)->as_table()) {
          StripReplaceMarkers(*t, absl::StrCat(child, "[", i, "]"), errors);
        }
      }
    }
  }
}

// Moves `overlay` into `base`: tables merge recursively unless the overlay's
// table asks to replace; everything else (values, arrays) replaces.
void MergeInto(toml::table& base, toml::table&& overlay) {
  for (auto&& [key, node] : overlay) {
    toml::node* existing = base.get(key.str());
    toml::table* overlay_table = node.as_table();
    if (overlay_table != nullptr && existing != nullptr && existing->is_table() &&
        !WantsReplace(*overlay_table)) {
      MergeInto(*existing->as_table(), std::move(*overlay_table));
    } else if (overlay_table != nullptr) {
      base.insert_or_assign(key, std::move(*overlay_table));
    } else if (toml::array* a = node.as_array()) {
      base.insert_or_assign(key, std::move(*a));
    } else {
      node.visit([&](auto&& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (!std::is_same_v<V, toml::table> && !std::is_same_v<V, toml::array>) {
          base.insert_or_assign(key, std::move(v));
        }
      });
    }
  }
}

// Loads `file` with its bases into one table. `chain` detects cycles.
absl::StatusOr<toml::table> LoadWithBases(const fs::path& file, std::vector<fs::path>& chain) {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(file, error);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::string cycle;
    for (const fs::path& p : chain) absl::StrAppend(&cycle, p.string(), " -> ");
    return absl::InvalidArgumentError(
        absl::StrCat("config inheritance cycle: ", cycle, canonical.string()));
  }
  STLAB_ASSIGN_OR_RETURN(toml::table own, ParseTomlFile(file));
  toml::node* base_node = own.get(kBaseKey);
  if (base_node == nullptr) return own;

  std::vector<const toml::node*> base_entries;
  if (base_node->is_string()) {
    base_entries.push_back(base_node);
  } else if (const toml::array* list = base_node->as_array();
             list != nullptr && list->is_homogeneous(toml::node_type::string)) {
    for (const toml::node& n : *list) base_entries.push_back(&n);
  } else {
    return ConfigErrorsToStatus({ErrorAt(
        *base_node, kBaseKey,
        absl::StrCat("must be a file name or a list of file names (strings), got ",
                     config_internal::TomlTypeName(*base_node)))});
  }
  chain.push_back(canonical);
  toml::table merged;
  for (const toml::node* entry : base_entries) {
    const fs::path base_file = file.parent_path() / entry->value_or(std::string());
    absl::StatusOr<toml::table> base = LoadWithBases(base_file, chain);
    if (!base.ok()) {
      if (absl::IsNotFound(base.status()) && !fs::exists(base_file)) {
        return ConfigErrorsToStatus({ErrorAt(
            *entry, kBaseKey,
            absl::StrCat("base file '", base_file.string(), "' does not exist"))});
      }
      if (!fs::is_regular_file(base_file)) {
        return ConfigErrorsToStatus(
            {ErrorAt(*entry, kBaseKey, std::string(base.status().message()))});
      }
      return base.status();
    }
    MergeInto(merged, *std::move(base));
  }
  chain.pop_back();
  own.erase(kBaseKey);
  MergeInto(merged, std::move(own));
  return merged;
}

struct PathStep {
  std::string key;            // Table key, or empty for an array index.
  std::optional<size_t> index;
};

// "augment.pipeline[1].p" or "augment.pipeline.1.p" -> steps.
absl::StatusOr<std::vector<PathStep>> ParseKeyPath(absl::string_view path) {
  std::vector<PathStep> steps;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    size_t bracket = part.find('[');
    absl::string_view key = part.substr(0, bracket);
    if (key.empty() && bracket != 0) {
      return absl::InvalidArgumentError(absl::StrCat("empty key in '", path, "'"));
    }
    size_t index = 0;
    if (!key.empty() && absl::SimpleAtoi(key, &index) &&
        std::all_of(key.begin(), key.end(), absl::ascii_isdigit)) {
      steps.push_back({"", index});
    } else if (!key.empty()) {
      steps.push_back({std::string(key), std::nullopt});
    }
    while (bracket != absl::string_view::npos) {
      const size_t close = part.find(']', bracket);
      if (close == absl::string_view::npos ||
          !absl::SimpleAtoi(part.substr(bracket + 1, close - bracket - 1), &index)) {
        return absl::InvalidArgumentError(absl::StrCat("bad index in '", path, "'"));
      }
      steps.push_back({"", index});
      bracket = part.find('[', close);
    }
  }
  if (steps.empty()) return absl::InvalidArgumentError("empty key");
  if (steps.size() > static_cast<size_t>(config_internal::kMaxConfigDepth)) {
    return absl::InvalidArgumentError(absl::StrCat("the key path has ", steps.size(),
                                                   " levels; a config nests at most ",
                                                   config_internal::kMaxConfigDepth));
  }
  return steps;
}

absl::Status ApplyOverride(toml::table& root, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  const std::string origin = absl::StrCat("<--set ", assignment, ">");
  auto fail = [&](const std::string& message) {
    ConfigError e;
    e.file = origin;
    e.message = message;
    return ConfigErrorsToStatus({e});
  };
  if (eq == std::string::npos || eq == 0) {
    return fail("an override must look like key.path=value");
  }
  const std::string path(absl::StripAsciiWhitespace(assignment.substr(0, eq)));
  const std::string text(absl::StripAsciiWhitespace(assignment.substr(eq + 1)));
  absl::StatusOr<std::vector<PathStep>> steps = ParseKeyPath(path);
  if (!steps.ok()) return fail(std::string(steps.status().message()));

  // The value is TOML; anything that does not parse is taken as a bare string, so
  // `--set model.backbone.type=resnet` works without quotes.
  // (A dotted run too long for the parser cannot be a TOML value either.)
  std::optional<toml::table> parsed_value;
  if (config_internal::RejectLongDottedKeys(text, origin).ok()) {
    try {
      parsed_value = toml::parse(absl::StrCat("value = ", text), origin);
    } catch (const toml::parse_error&) {
    }
  }
  if (!parsed_value) {
    std::ostringstream quoted;
    quoted << "value = " << toml::value<std::string>(text);
    parsed_value = toml::parse(quoted.str(), origin);
  }
  toml::table& parsed = *parsed_value;
  STLAB_RETURN_IF_ERROR(config_internal::RejectDeepNesting(parsed));
  toml::node* value = parsed.get("value");

  toml::node* current = &root;
  std::string walked;
  for (size_t i = 0; i < steps->size(); ++i) {
    const PathStep& step = (*steps)[i];
    const bool last = i + 1 == steps->size();
    if (step.index) {
      toml::array* array = current->as_array();
      if (array == nullptr || *step.index >= array->size()) {
        return fail(absl::StrCat("'", walked, "' has no element [", *step.index, "]"));
      }
      absl::StrAppend(&walked, "[", *step.index, "]");
      if (last) {
        array->replace(array->cbegin() + static_cast<ptrdiff_t>(*step.index), std::move(*value));
        return absl::OkStatus();
      }
      current = array->get(*step.index);
      continue;
    }
    toml::table* table = current->as_table();
    if (table == nullptr) {
      return fail(absl::StrCat("'", walked, "' is not a table, so it has no key '", step.key, "'"));
    }
    absl::StrAppend(&walked, walked.empty() ? "" : ".", step.key);
    if (last) {
      MergeInto(*table, [&] {
        toml::table single;
        single.insert_or_assign(step.key, std::move(*value));
        return single;
      }());
      // An override replaces tables wholesale only when it is itself a table.
      return absl::OkStatus();
    }
    toml::node* next = table->get(step.key);
    if (next == nullptr) {
      table->insert_or_assign(step.key, toml::table{});
      next = table->get(step.key);
    }
    current = next;
  }
  return absl::OkStatus();
}

}  // namespace

ConfigDocument::ConfigDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigDocument::~ConfigDocument() = default;
ConfigDocument::ConfigDocument(ConfigDocument&&) noexcept = default;
ConfigDocument& ConfigDocument::operator=(ConfigDocument&&) noexcept = default;

absl::StatusOr<ConfigDocument> ConfigDocument::Load(const fs::path& file,
                                                    const std::vector<std::string>& overrides) {
  return LoadLayers({file}, overrides);
}

absl::StatusOr<ConfigDocument> ConfigDocument::LoadLayers(
    const std::vector<fs::path>& layers, const std::vector<std::string>& overrides) {
  toml::table root;
  for (const fs::path& file : layers) {
    std::vector<fs::path> chain;
    STLAB_ASSIGN_OR_RETURN(toml::table layer, LoadWithBases(file, chain));
    MergeInto(root, std::move(layer));
  }
  for (const std::string& assignment : overrides) {
    STLAB_RETURN_IF_ERROR(ApplyOverride(root, assignment));
  }
  std::vector<ConfigError> errors;
  StripReplaceMarkers(root, "", errors);
  STLAB_RETURN_IF_ERROR(ConfigErrorsToStatus(errors));
  return ConfigDocument(std::make_unique<Impl>(Impl{std::move(root)}));
}

absl::StatusOr<ConfigDocument> ConfigDocument::Parse(const std::string& text,
                                                     const std::string& origin) {
  STLAB_ASSIGN_OR_RETURN(toml::table root, config_internal::ParseToml(text, origin));
  if (root.contains(kBaseKey)) {
    return ConfigErrorsToStatus({ErrorAt(*root.get(kBaseKey), kBaseKey,
                                         "inheritance needs a file; use ConfigDocument::Load")});
  }
  std::vector<ConfigError> errors;
  StripReplaceMarkers(root, "", errors);
  STLAB_RETURN_IF_ERROR(ConfigErrorsToStatus(errors));
  return ConfigDocument(std::make_unique<Impl>(Impl{std::move(root)}));
}

void ConfigDocument::Erase(const std::string& key_path) {
  toml::table* table = &impl_->root;
  const std::vector<std::string> keys = absl::StrSplit(key_path, '.');
  for (size_t i = 0; i + 1 < keys.size() && table != nullptr; ++i) {
    table = table->get_as<toml::table>(keys[i]);
  }
  if (table != nullptr) table->erase(keys.back());
}

std::vector<fs::path> ConfigDocument::PluginPaths() const {
  std::vector<fs::path> paths;
  const toml::array* list = impl_->root.get_as<toml::array>(kPluginsKey);
  if (list == nullptr) return paths;
  for (const toml::node& entry : *list) {
    std::optional<std::string> text = entry.value<std::string>();
    if (!text) continue;  // Reported by validation.
    fs::path path(*text);
    if (path.is_relative() && entry.source().path) {
      path = fs::path(*entry.source().path).parent_path() / path;
    }
    paths.push_back(path.lexically_normal());
  }
  return paths;
}

std::vector<std::string> ConfigDocument::PluginPathOrigins() const {
  std::vector<std::string> origins;
  const toml::array* list = impl_->root.get_as<toml::array>(kPluginsKey);
  if (list == nullptr) return origins;
  for (const toml::node& entry : *list) {
    if (!entry.is_string()) continue;  // As PluginPaths().
    const toml::source_region& where = entry.source();
    origins.push_back(absl::StrCat(where.path ? *where.path : std::string("<config>"), ":",
                                   where.begin.line, ":", where.begin.column));
  }
  return origins;
}

std::string ConfigDocument::ToToml() const {
  std::ostringstream out;
  out << toml::toml_formatter(impl_->root);
  return out.str();
}

}  // namespace stlab
