#include "core/suite/stage_runner.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::testing::HasSubstr;

// A stage folder named like the planner names them, with `done` as its marker
// (none when empty).
std::filesystem::path StageWithMarker(const std::string& done) {
  const std::filesystem::path dir = stlab::testing::FreshTestDir() / "train-0123456789abcdef";
  std::filesystem::create_directories(dir);
  if (!done.empty()) std::ofstream(StageFiles(dir).done()) << done;
  return dir;
}

TEST(StageDoneTest, AMarkerThatReadsBackMeansDone) {
  const auto dir = StageWithMarker("id = \"train-0123456789abcdef\"\n[metrics]\nAP = 0.25\n");
  EXPECT_TRUE(StageDone(dir));
  absl::StatusOr<Metrics> metrics = ReadStageMetrics(dir);
  ASSERT_THAT(metrics.status(), IsOk());
  EXPECT_EQ(*metrics, (Metrics{{"AP", 0.25}}));
}

TEST(StageDoneTest, NoMarkerIsPending) { EXPECT_FALSE(StageDone(StageWithMarker(""))); }

TEST(StageDoneTest, EmptyCorruptOrForeignMarkersArePendingWithAnErrorNamingTheFile) {
  for (const std::string& done :
       {std::string(" "), std::string("id = \"train-0123\n[metr"),
        std::string("id = \"train-0123456789abcdef\"\n"),
        std::string("id = \"train-ffffffffffffffff\"\n[metrics]\nAP = 0.25\n"),
        std::string("id = \"train-0123456789abcdef\"\n[metrics]\nAP = \"high\"\n")}) {
    const auto dir = StageWithMarker(done);
    EXPECT_FALSE(StageDone(dir)) << done;
    const absl::Status status = ReadStageMetrics(dir).status();
    EXPECT_FALSE(status.ok()) << done;
    EXPECT_THAT(std::string(status.message()), HasSubstr("stage_done.toml")) << done;
  }
}

}  // namespace
}  // namespace stlab
