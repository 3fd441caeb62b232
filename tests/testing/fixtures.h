// Where test fixtures live. The small cases travel with the repository
// (tests/fixtures/); the large COCO-eval case and the real COCO images stay in the
// shared folder next to the clone (STLAB_SHARED_DIR): the first is 10 MB, the
// second carries COCO's terms of use. A test of an external fixture that is absent
// skips with a message naming it, or fails when STLAB_REQUIRE_FIXTURES=1 (CI).
#ifndef STLAB_TESTS_TESTING_FIXTURES_H_
#define STLAB_TESTS_TESTING_FIXTURES_H_

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace stlab::testing {

/// `tests/fixtures/<name>` in the source tree.
inline std::filesystem::path RepositoryFixture(const std::string& name) {
  return std::filesystem::path(STLAB_SOURCE_DIR) / "tests" / "fixtures" / name;
}

/// `<STLAB_SHARED_DIR>/fixtures/<name>`.
inline std::filesystem::path ExternalFixture(const std::string& name) {
  return std::filesystem::path(STLAB_SHARED_DIR) / "fixtures" / name;
}

/// Whether an absent external fixture fails the test (STLAB_REQUIRE_FIXTURES=1).
inline bool FixturesRequired() {
  const char* value = std::getenv("STLAB_REQUIRE_FIXTURES");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace stlab::testing

/// In a test body: skips the test when the external fixture `path` is absent, or
/// fails it when STLAB_REQUIRE_FIXTURES=1.
#define STLAB_NEED_EXTERNAL_FIXTURE(path)                                                    \
  do {                                                                                       \
    if (!std::filesystem::exists(path)) {                                                    \
      if (::stlab::testing::FixturesRequired()) {                                            \
        FAIL() << "external fixture " << (path)                                              \
               << " is absent and STLAB_REQUIRE_FIXTURES=1 (set STLAB_SHARED_DIR at "        \
                  "configure time)";                                                         \
      }                                                                                      \
      GTEST_SKIP() << "external fixture " << (path)                                          \
                   << " is absent (set STLAB_SHARED_DIR at configure time to run this test)"; \
    }                                                                                        \
  } while (false)

#endif  // STLAB_TESTS_TESTING_FIXTURES_H_
