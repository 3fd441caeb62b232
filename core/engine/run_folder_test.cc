#include "core/engine/run_folder.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kConfig[] =
    "[run]\nname = \"x\"\nseed = 0\n\n[train]\nlr = 0.01\n\n[[augment.pipeline]]\ntype = \"flip\"\n";
constexpr char kChanged[] =
    "[run]\nname = \"x\"\nseed = 0\n\n[train]\nlr = 0.02\n\n[[augment.pipeline]]\ntype = \"crop\"\n"
    "size = 64\n";

std::string Read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RunFolderTest, DifferingConfigKeysNamesEachChangedKey) {
  EXPECT_THAT(DifferingConfigKeys(kConfig, kChanged),
              ElementsAre("train.lr (0.01 -> 0.02)",
                          "augment.pipeline[0].type (\"flip\" -> \"crop\")",
                          "augment.pipeline[0].size (absent -> 64)"));
  EXPECT_TRUE(DifferingConfigKeys(kConfig, kConfig).empty());
}

// Issue 20: a run that failed before training left a folder that refused the
// corrected config, and the refusal did not say what differed.
TEST(RunFolderTest, AFolderThatNeverTrainedTakesTheCorrectedConfig) {
  const auto dir = stlab::testing::FreshTestDir();
  const auto config = dir / "config.toml";
  ASSERT_THAT(ClaimRunFolder(dir, config, kConfig, /*trained=*/false), IsOk());
  ASSERT_THAT(ClaimRunFolder(dir, config, kConfig, /*trained=*/true), IsOk());
  EXPECT_THAT(ClaimRunFolder(dir, config, kChanged, /*trained=*/false), IsOk());
  EXPECT_EQ(Read(config), kChanged);
  EXPECT_THAT(ClaimRunFolder(dir, config, kConfig, /*trained=*/true),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("belongs to a run with a different config"),
                             HasSubstr("train.lr (0.02 -> 0.01)"),
                             HasSubstr("augment.pipeline[0].size (64 -> absent)"))));
  EXPECT_EQ(Read(config), kChanged);
}

}  // namespace
}  // namespace stlab
