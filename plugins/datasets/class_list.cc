// The class list of a file-backed dataset (see class_list.h).
#include "plugins/datasets/class_list.h"

#include <fstream>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "plugins/datasets/resolve_path.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;

// An error naming the first empty or repeated name of `names`, read from `where`.
absl::Status CheckNames(const std::vector<std::string>& names, const std::string& where) {
  std::unordered_set<std::string> seen;
  for (size_t k = 0; k < names.size(); ++k) {
    if (names[k].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": class ", k, " has an empty name"));
    }
    if (!seen.insert(names[k]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": class '", names[k], "' is listed twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

ParamSpecs ClassListParams(const std::string& what, const std::string& default_doc) {
  return {
      ParamSpec::StringList("classes", {},
                            default_doc.empty()
                                ? absl::StrCat(what, " (set this or classes_file)")
                                : absl::StrCat(what, "; empty: classes_file, or ", default_doc)),
      ParamSpec::String("classes_file", "",
                        "file of class names, one per line, relative to the config's folder "
                        "(instead of classes)"),
  };
}

absl::StatusOr<std::vector<std::string>> ReadClassFile(const fs::path& path) {
  std::ifstream file(path);
  if (!file.is_open()) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": class file not found"));
  }
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    const std::string name(absl::StripAsciiWhitespace(line));
    if (name.empty()) continue;
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ":", number, ": class '", name, "' is listed twice"));
    }
    names.push_back(name);
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": no class names"));
  }
  return names;
}

absl::StatusOr<std::vector<std::string>> ClassListFromParams(
    const Params& params, const fs::path& base_dir, const std::vector<std::string>& default_classes,
    size_t max_classes) {
  const std::vector<std::string>& inline_classes = params.GetStringList("classes");
  const std::string& classes_file = params.GetString("classes_file");
  std::vector<std::string> classes;
  std::string where = "classes";
  if (!inline_classes.empty() && !classes_file.empty()) {
    return absl::InvalidArgumentError("set either classes or classes_file, not both");
  }
  if (!classes_file.empty()) {
    where = ResolvePath(base_dir, classes_file).string();
    STLAB_ASSIGN_OR_RETURN(classes, ReadClassFile(where));
  } else if (!inline_classes.empty()) {
    classes = inline_classes;
    STLAB_RETURN_IF_ERROR(CheckNames(classes, where));
  } else if (!default_classes.empty()) {
    classes = default_classes;
  } else {
    return absl::InvalidArgumentError("no classes: set classes = [...] or classes_file");
  }
  if (classes.size() > max_classes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", classes.size(), " classes; at most ", max_classes, " allowed"));
  }
  return classes;
}

}  // namespace stlab::datasets
