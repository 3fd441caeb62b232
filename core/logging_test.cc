#include "core/logging.h"

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::testing::HasSubstr;

TEST(LoggingTest, WritesToTheRunLogFile) {
  const auto file = stlab::testing::FreshTestDir() / "run" / "log.txt";
  ASSERT_THAT(ConfigureLogging("warn", file), IsOk());
  LogDebug("debug line goes to the file only");
  LogWarning("warning line");
  ASSERT_THAT(ConfigureLogging("info", std::nullopt), IsOk());  // Flushes and closes the file.
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("debug line goes to the file only"));
  EXPECT_THAT(text.str(), HasSubstr("[warning] warning line"));
}

// Issue 20, defect 5: an appended file must not be followed through a symlink.
TEST(LoggingTest, ALogFileThatIsASymlinkIsRefused) {
  const auto dir = stlab::testing::FreshTestDir();
  const auto target = stlab::testing::WriteFile(dir / "elsewhere.txt", "precious\n");
  std::filesystem::create_symlink(target, dir / "train.log");
  const absl::Status s = ConfigureLogging("info", dir / "train.log");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("train.log' is a symbolic link"));
  std::ifstream in(target);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "precious\n");
}

TEST(LoggingTest, UnknownLevelIsAnError) {
  EXPECT_FALSE(ConfigureLogging("verbose", std::nullopt).ok());
}

}  // namespace
}  // namespace stlab
