#include "core/atomic_file.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::IsOk;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicFileTest, WritesAndReplacesWithoutLeavingTemporaries) {
  const fs::path dir = fs::path(::testing::TempDir()) / "atomic_file_test" / "nested";
  fs::remove_all(dir.parent_path());
  const fs::path file = dir / "resolved.toml";
  ASSERT_THAT(WriteFileAtomically(file, "a = 1\n"), IsOk());
  EXPECT_EQ(Read(file), "a = 1\n");
  ASSERT_THAT(WriteFileAtomically(file, "a = 2\n"), IsOk());
  EXPECT_EQ(Read(file), "a = 2\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFileTest, UnwritableLocationIsAnErrorNamingThePath) {
  absl::Status s = WriteFileAtomically("/proc/stlab_cannot_write_here/x.toml", "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/proc/stlab_cannot_write_here"), std::string::npos);
}

}  // namespace
}  // namespace stlab
