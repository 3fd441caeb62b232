// What the libFuzzer harnesses share: a scratch folder for the readers that take a
// path, and cutting one fuzz input into the several files or lines a reader sees.
#ifndef STLAB_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define STLAB_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace stlab::fuzz {

/// A folder of this process under $TMPDIR (or /tmp), made on first use and left
/// behind (libFuzzer may end the process without running exit handlers;
/// scripts/ci_extended.sh points TMPDIR at a folder it empties). Harnesses
/// overwrite their files in it on every input.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/stlab_fuzz_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("stlab fuzz: mkdtemp");
      std::abort();
    }
    return std::filesystem::path(pattern);
  }();
  return dir;
}

/// Writes `bytes` to `path`, replacing it (folders are made as needed).
inline void WriteBytes(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::perror("stlab fuzz: writing a scratch file");
    std::abort();
  }
}

/// `input` cut at every `separator` (one part when there is none).
inline std::vector<std::string_view> Split(std::string_view input, std::string_view separator) {
  std::vector<std::string_view> parts;
  for (size_t at = input.find(separator); at != std::string_view::npos;
       at = input.find(separator)) {
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + separator.size());
  }
  parts.push_back(input);
  return parts;
}

/// The `--set` overrides a config or suite input carries: the rest of every line
/// that starts with "#set " (a TOML comment, so the file still parses).
inline std::vector<std::string> SetLines(std::string_view text) {
  constexpr std::string_view kPrefix = "#set ";
  std::vector<std::string> overrides;
  for (std::string_view line : Split(text, "\n")) {
    if (line.substr(0, kPrefix.size()) == kPrefix) {
      overrides.emplace_back(line.substr(kPrefix.size()));
    }
  }
  return overrides;
}

/// Makes `dir`/configs/<folder> a link to every folder of the repository's configs/,
/// so that an input written to `dir`/configs/fuzz/ resolves the shipped configs'
/// relative paths ("../base/run.toml") as they do in the repository.
inline void LinkShippedConfigs(const std::filesystem::path& dir,
                               const std::filesystem::path& source_configs) {
  std::filesystem::create_directories(dir / "configs");
  for (const auto& entry : std::filesystem::directory_iterator(source_configs)) {
    if (entry.is_directory()) {
      std::filesystem::create_directory_symlink(entry.path(),
                                                dir / "configs" / entry.path().filename());
    }
  }
}

/// The folder fuzz inputs are written to: ScratchDir()/configs/fuzz, beside links to
/// the shipped configs' folders (made on the first call), so that inputs can name
/// them as a shipped config would ("../base/run.toml").
inline const std::filesystem::path& FolderBesideShippedConfigs() {
  static const std::filesystem::path folder = [] {
    LinkShippedConfigs(ScratchDir(), std::filesystem::path(STLAB_SOURCE_DIR) / "configs");
    return ScratchDir() / "configs" / "fuzz";
  }();
  return folder;
}

}  // namespace stlab::fuzz

#endif  // STLAB_TESTS_FUZZ_FUZZ_SUPPORT_H_
