// Writing small files for tests into a fresh temporary folder.
#ifndef STLAB_TESTS_TESTING_TEMP_FILES_H_
#define STLAB_TESTS_TESTING_TEMP_FILES_H_

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace stlab::testing {

/// A folder unique to the running test, emptied on construction.
inline std::filesystem::path FreshTestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "stlab_tests" /
                                    info->test_suite_name() / info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Writes `text` to `path` (creating folders) and returns the path.
inline std::filesystem::path WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path;
}

}  // namespace stlab::testing

#endif  // STLAB_TESTS_TESTING_TEMP_FILES_H_
