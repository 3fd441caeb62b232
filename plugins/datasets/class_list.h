// The class list of a file-backed dataset, given inline (`classes = [...]`) or as a
// file of names, one per line (`classes_file = "..."`): the declarations both
// parameters share and the one function that reads them.
#ifndef STLAB_PLUGINS_DATASETS_CLASS_LIST_H_
#define STLAB_PLUGINS_DATASETS_CLASS_LIST_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "registry/param.h"

namespace stlab::datasets {

/// Parameters `classes` (list of string) and `classes_file` (string), both empty by
/// default; `default_doc` says what an unset pair means ("the 20 VOC classes"), empty
/// when one of them must be set.
ParamSpecs ClassListParams(const std::string& what, const std::string& default_doc);

/// The names in `path`: one per line, surrounding whitespace stripped, blank lines
/// skipped. Errors, naming the file (and line): a missing file, no names, a
/// duplicate name.
absl::StatusOr<std::vector<std::string>> ReadClassFile(const std::filesystem::path& path);

/// The class list the parameters name: `classes`, or the file `classes_file` (relative
/// to `base_dir`), or `default_classes` when both are empty. Errors: both set, neither
/// set without a default, an empty or duplicate name, more than `max_classes` classes.
absl::StatusOr<std::vector<std::string>> ClassListFromParams(
    const Params& params, const std::filesystem::path& base_dir,
    const std::vector<std::string>& default_classes, size_t max_classes);

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_CLASS_LIST_H_
