#include "core/engine/metrics_log.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MetricsLogTest, WritesOneJsonObjectPerLine) {
  const auto path = stlab::testing::FreshTestDir() / "metrics.jsonl";
  auto log = MetricsLog::Open(path, 0);
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_THAT((*log)->Append("train", 20, {{"loss/total", 0.5}, {"lr", NAN}}), IsOk());
  EXPECT_EQ(Read(path),
            "{\"kind\": \"train\", \"iteration\": 20, \"loss/total\": 0.5, \"lr\": null}\n");
}

TEST(MetricsLogTest, ReopeningDropsLinesAfterTheResumedIteration) {
  const auto path = stlab::testing::FreshTestDir() / "metrics.jsonl";
  {
    auto log = MetricsLog::Open(path, 0);
    ASSERT_THAT(log.status(), IsOk());
    for (int64_t it : {10, 20, 30}) ASSERT_THAT((*log)->Append("train", it, {{"x", 1.0}}), IsOk());
  }
  auto log = MetricsLog::Open(path, 20);
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_THAT((*log)->Append("eval", 30, {}), IsOk());
  EXPECT_EQ(Read(path),
            "{\"kind\": \"train\", \"iteration\": 10, \"x\": 1}\n"
            "{\"kind\": \"train\", \"iteration\": 20, \"x\": 1}\n"
            "{\"kind\": \"eval\", \"iteration\": 30}\n");
}

TEST(MetricsLogTest, ASymlinkIsNotFollowed) {
  const auto dir = stlab::testing::FreshTestDir();
  const auto target = stlab::testing::WriteFile(dir / "elsewhere.jsonl", "");
  std::filesystem::create_symlink(target, dir / "metrics.jsonl");
  absl::StatusOr<std::unique_ptr<MetricsLog>> log = MetricsLog::Open(dir / "metrics.jsonl", 0);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(std::filesystem::is_empty(target));
}

TEST(MetricsLogTest, NumbersRoundTripAndStringsAreEscaped) {
  EXPECT_EQ(std::stod(JsonNumber(0.1 + 0.2)), 0.1 + 0.2);
  EXPECT_EQ(JsonString("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(MetricsJson({{"AP", 0.25}, {"mIoU", NAN}}), "{\"AP\": 0.25, \"mIoU\": null}");
}

}  // namespace
}  // namespace stlab
