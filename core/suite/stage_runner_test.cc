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
// (none when empty) and `outputs` as its output manifest (none when empty).
std::filesystem::path StageWithMarker(const std::string& done, const std::string& outputs = "") {
  const std::filesystem::path dir = stlab::testing::FreshTestDir() / "train-0123456789abcdef";
  std::filesystem::create_directories(dir);
  if (!done.empty()) std::ofstream(StageFiles(dir).done()) << done;
  if (!outputs.empty()) std::ofstream(StageFiles(dir).outputs()) << outputs;
  return dir;
}

constexpr char kOutputs[] =
    "[outputs]\n\"model_final.pt\" = { bytes = 5, sha256 = "
    "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\" }\n";  // "hello"

TEST(StageDoneTest, AMarkerThatReadsBackMeansDone) {
  const auto dir =
      StageWithMarker("id = \"train-0123456789abcdef\"\n[metrics]\nAP = 0.25\n", kOutputs);
  std::ofstream(dir / "model_final.pt") << "hello";
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
        std::string("id = \"train-0123456789abcdef\"\n[metrics]\nAP = \"high\"\n"),
        // Written before outputs carried checksums: no manifest.
        std::string("id = \"train-0123456789abcdef\"\n[metrics]\nAP = 0.25\n")}) {
    const auto dir = StageWithMarker(done);
    EXPECT_FALSE(StageDone(dir)) << done;
    EXPECT_TRUE(StageMarked(dir));
  }
  const absl::Status status = ReadStageMetrics(StageWithMarker(" ")).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("stage_done.toml"));
}

TEST(StageDoneTest, MissingOrChangedOutputsArePending) {
  const std::string marker = "id = \"train-0123456789abcdef\"\n[metrics]\nAP = 0.25\n";
  EXPECT_FALSE(StageDone(StageWithMarker(marker, kOutputs)));  // model_final.pt missing.
  const auto changed = StageWithMarker(marker, kOutputs);
  std::ofstream(changed / "model_final.pt") << "hellp";
  EXPECT_FALSE(StageDone(changed));
  EXPECT_FALSE(StageDone(StageWithMarker(marker, "[outputs]\nx = 3\n")));
  const auto truncated = StageWithMarker(marker, kOutputs);
  std::ofstream(truncated / "model_final.pt") << "hell";
  EXPECT_FALSE(StageDone(truncated));
}

}  // namespace
}  // namespace stlab
