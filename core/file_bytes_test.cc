#include "core/file_bytes.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::Eq;
using ::testing::Ge;

TEST(ReadFileBytesTest, ReadsEveryByteAndReservesPadding) {
  std::string bytes(200000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
  const auto file = WriteFile(FreshTestDir() / "data.bin", bytes);
  absl::StatusOr<std::string> read = ReadFileBytes(file, "data file", 64);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(*read, Eq(bytes));
  EXPECT_THAT(read->capacity(), Ge(bytes.size() + 64));
}

TEST(ReadFileBytesTest, ErrorsNameTheFileAndItsRole) {
  const auto dir = FreshTestDir();
  EXPECT_THAT(ReadFileBytes(dir / "missing.pt", "checkpoint"),
              StatusIs(absl::StatusCode::kNotFound,
                       "checkpoint '" + (dir / "missing.pt").string() + "' does not exist"));
  EXPECT_THAT(ReadFileBytes(dir, "config file"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config file '" + dir.string() + "' is a directory, not a file"));
  EXPECT_THAT(ReadFileBytes("/dev/null", "weights file"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "weights file '/dev/null' is not a regular file"));
  const auto empty = WriteFile(dir / "empty", "");
  EXPECT_THAT(ReadFileBytes(empty, "x"), IsOk());
}

}  // namespace
}  // namespace stlab
