// Plugin loading with Boost.DLL: open, find the entry point, check the descriptor,
// register into a staging set, adopt all or nothing.
#include "registry/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "boost/dll/runtime_symbol_info.hpp"
#include "boost/dll/shared_library.hpp"
#include "core/status.h"
#include "registry/plugin_api.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;

// Keeps `path` mapped for the life of the process, whatever happens to the
// boost::dll::shared_library handle (RTLD_NODELETE on an already-open library).
void PinLibrary(const fs::path& path) {
  dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

absl::Status CheckDescriptor(const PluginDescriptor& d, const std::string& where) {
  if (d.api_version != kPluginApiVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, " was built for plugin API v", d.api_version, " but this stlab (", kStlabVersion,
        ") uses v", kPluginApiVersion, "; rebuild the plugin against this stlab"));
  }
  if (d.name == nullptr || *d.name == '\0' || d.version == nullptr ||
      d.register_components == nullptr || d.torch_version == nullptr ||
      d.stlab_version == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, " has an incomplete descriptor (name, version, torch version, "
                            "stlab version and registration callback are required)"));
  }
  if (std::strcmp(d.torch_version, TORCH_VERSION) != 0 || d.cxx11_abi != _GLIBCXX_USE_CXX11_ABI) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, " (plugin '", d.name, "') was built against LibTorch ", d.torch_version,
        " with _GLIBCXX_USE_CXX11_ABI=", d.cxx11_abi, " but this stlab uses LibTorch ",
        TORCH_VERSION, " with _GLIBCXX_USE_CXX11_ABI=", _GLIBCXX_USE_CXX11_ABI,
        "; rebuild the plugin against this stlab's LibTorch"));
  }
  if (d.cuda != 0 && kBuiltWithCuda == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, " (plugin '", d.name,
                     "') was built with CUDA but this stlab is a CPU build; rebuild it "
                     "without CUDA or use a CUDA build of stlab"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PluginLoader::Load(const fs::path& library) {
  std::error_code fs_error;
  if (!fs::exists(library, fs_error)) {
    return absl::NotFoundError(
        absl::StrCat("plugin library '", library.string(), "' does not exist"));
  }
  const fs::path path = fs::canonical(library, fs_error);
  if (fs_error) {
    return absl::NotFoundError(absl::StrCat("plugin library '", library.string(),
                                            "' cannot be resolved: ", fs_error.message()));
  }
  if (loaded_.count(path) > 0) return absl::OkStatus();
  const std::string where = absl::StrCat("plugin library '", path.string(), "'");

  boost::dll::shared_library handle;
  boost::dll::fs::error_code load_error;
  dlerror();  // Clear any stale message so that the one below is about this load.
  handle.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
              load_error);
  if (load_error || !handle.is_loaded()) {
    const char* reason = dlerror();
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is not a loadable shared library: ",
                     reason != nullptr ? reason : load_error.message()));
  }
  PinLibrary(path);

  if (!handle.has(kPluginEntryPoint)) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, " has no entry point '", kPluginEntryPoint,
                     "'; a plugin must define one with STLAB_PLUGIN(name, version, register_fn)"));
  }
  const PluginDescriptor* descriptor = nullptr;
  STLAB_RETURN_IF_ERROR(CallAndCatch(absl::StrCat(where, ": reading the descriptor"), [&] {
    descriptor = handle.get_alias<PluginEntryPoint>(kPluginEntryPoint)();
    return absl::OkStatus();
  }));
  if (descriptor == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(where, " returned no descriptor"));
  }
  STLAB_RETURN_IF_ERROR(CheckDescriptor(*descriptor, where));

  const PluginInfo info{descriptor->name, descriptor->version, path.string()};
  Registries staged(absl::StrCat("plugin '", info.name, "' ", info.version, " (", info.path, ")"));
  const std::string registering =
      absl::StrCat("registration of plugin '", info.name, "' from '", info.path, "' failed");
  STLAB_RETURN_IF_ERROR(CallAndCatch(registering, [&]() -> absl::Status {
    return Annotate(descriptor->register_components(staged), registering);
  }));
  STLAB_RETURN_IF_ERROR(registries_.Adopt(staged, info));
  loaded_.insert(path);
  return absl::OkStatus();
}

absl::Status PluginLoader::LoadFolders(const std::vector<fs::path>& folders, bool must_exist) {
  std::vector<std::string> failures;
  for (const fs::path& folder : folders) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
      if (must_exist) {
        failures.push_back(absl::StrCat("plugin folder '", folder.string(), "' does not exist"));
      }
      continue;
    }
    std::vector<fs::path> libraries;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so") libraries.push_back(entry.path());
    }
    std::sort(libraries.begin(), libraries.end());
    for (const fs::path& library : libraries) {
      if (absl::Status s = Load(library); !s.ok()) failures.push_back(std::string(s.message()));
    }
  }
  if (failures.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(failures, "\n"));
}

std::vector<fs::path> DefaultPluginFolders() {
  std::vector<fs::path> folders;
  if (const char* env = std::getenv(kPluginPathEnv); env != nullptr) {
    for (absl::string_view part : absl::StrSplit(env, ':', absl::SkipEmpty())) {
      folders.emplace_back(std::string(part));
    }
  }
  boost::dll::fs::error_code error;
  const fs::path program = boost::dll::program_location(error);
  if (!error) folders.push_back(program.parent_path().parent_path() / "lib" / "stlab" / "plugins");
  return folders;
}

}  // namespace stlab
