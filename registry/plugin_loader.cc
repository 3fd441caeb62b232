// Plugin loading with Boost.DLL: open, find the entry point, check the descriptor,
// register into a staging set, adopt all or nothing.
#include "registry/plugin_loader.h"

#include <dlfcn.h>
#include <elf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
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

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "plugin loading knows the ELF machine of x86-64 and AArch64 hosts only"
#endif

// Whether [offset, offset + length) lies within a file of `size` bytes.
bool WithinFile(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Checks the ELF image before dlopen maps it: a library cut short (an interrupted
// copy or download) maps fine but raises SIGBUS at the first touch of a page past
// its end, killing the host. Checks the header, that the file is a shared library
// for this machine, and that every segment and the section table lie in the file.
absl::Status CheckElfImage(const fs::path& path, const std::string& where) {
  std::error_code error;
  const uint64_t size = fs::file_size(path, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat(where, " cannot be read: ", error.message()));
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (size < sizeof(header) || !in.read(reinterpret_cast<char*>(&header), sizeof(header))) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " is not a loadable shared library: ", size, " bytes, too short for an ELF header"));
  }
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is not a loadable shared library: not an ELF file"));
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
      header.e_machine != kHostMachine) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " is not a loadable shared library: built for another machine (ELF class ",
        header.e_ident[EI_CLASS], ", data ", header.e_ident[EI_DATA], ", machine ",
        header.e_machine, "; this host is 64-bit little-endian machine ", kHostMachine, ")"));
  }
  if (header.e_type != ET_DYN) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " is not a loadable shared library: an ELF file of type ", header.e_type,
        ", not a shared object (build plugins with add_library(... MODULE) or SHARED)"));
  }
  const auto truncated = [&](const std::string& what, uint64_t end) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is truncated: ", what, " ends at byte ", end, " but the file has ",
                     size, " bytes (an interrupted copy?); rebuild or copy it again"));
  };
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is not a loadable shared library: no valid program headers"));
  }
  const uint64_t table_bytes = uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
  if (!WithinFile(header.e_phoff, table_bytes, size)) {
    return truncated("the program header table", header.e_phoff + table_bytes);
  }
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  in.seekg(static_cast<std::streamoff>(header.e_phoff));
  if (!in.read(reinterpret_cast<char*>(segments.data()), static_cast<std::streamsize>(table_bytes))) {
    return absl::InvalidArgumentError(absl::StrCat(where, " cannot be read"));
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    const Elf64_Phdr& segment = segments[i];
    if (segment.p_type != PT_NULL && !WithinFile(segment.p_offset, segment.p_filesz, size)) {
      return truncated(absl::StrCat("segment ", i), segment.p_offset + segment.p_filesz);
    }
  }
  if (header.e_shoff != 0 &&
      !WithinFile(header.e_shoff, uint64_t{header.e_shnum} * header.e_shentsize, size)) {
    return truncated("the section header table",
                     header.e_shoff + uint64_t{header.e_shnum} * header.e_shentsize);
  }
  return absl::OkStatus();
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

  STLAB_RETURN_IF_ERROR(CheckElfImage(path, where));
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

std::vector<fs::path> PluginPathFromEnvironment() {
  std::vector<fs::path> entries;
  if (const char* env = std::getenv(kPluginPathEnv); env != nullptr) {
    for (absl::string_view part : absl::StrSplit(env, ':', absl::SkipEmpty())) {
      entries.emplace_back(std::string(part));
    }
  }
  return entries;
}

fs::path InstalledPluginFolder() {
  boost::dll::fs::error_code error;
  const fs::path program = boost::dll::program_location(error);
  if (error) return {};
  return program.parent_path().parent_path() / "lib" / "stlab" / "plugins";
}

std::vector<fs::path> DefaultPluginFolders() {
  std::vector<fs::path> folders = PluginPathFromEnvironment();
  if (fs::path installed = InstalledPluginFolder(); !installed.empty()) folders.push_back(installed);
  return folders;
}

}  // namespace stlab
