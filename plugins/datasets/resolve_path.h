// Resolving the file and folder parameters of the file-backed datasets.
#ifndef STLAB_PLUGINS_DATASETS_RESOLVE_PATH_H_
#define STLAB_PLUGINS_DATASETS_RESOLVE_PATH_H_

#include <filesystem>
#include <string>

namespace stlab::datasets {

/// `path` if absolute (or `base_dir` is empty), else `base_dir / path`, normalised:
/// relative paths in a config are relative to the config file's folder
/// (DatasetContext::base_dir).
inline std::filesystem::path ResolvePath(const std::filesystem::path& base_dir,
                                         const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal();
  return (base_dir / p).lexically_normal();
}

}  // namespace stlab::datasets

#endif  // STLAB_PLUGINS_DATASETS_RESOLVE_PATH_H_
