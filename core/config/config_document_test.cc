#include "core/config/config_document.h"

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
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigDocumentTest, BaseIsDeepMergedAndChildWins) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "bases/base.toml",
            "[run]\nname = \"base\"\nseed = 1\n[model.backbone]\ntype = \"a\"\nwidth = 8\n");
  const auto child = WriteFile(dir / "child.toml",
                               "base = \"bases/base.toml\"\n[run]\nseed = 2\n"
                               "[model.backbone]\nwidth = 16\n");
  auto doc = ConfigDocument::Load(child);
  ASSERT_THAT(doc, IsOk());
  const std::string text = doc->ToToml();
  EXPECT_THAT(text, HasSubstr("name = 'base'"));
  EXPECT_THAT(text, HasSubstr("seed = 2"));
  EXPECT_THAT(text, HasSubstr("type = 'a'"));
  EXPECT_THAT(text, HasSubstr("width = 16"));
  EXPECT_THAT(text, Not(HasSubstr("base =")));
}

TEST(ConfigDocumentTest, ReplaceMarkerDropsInheritedTable) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "base.toml", "[model.backbone]\ntype = \"a\"\nwidth = 8\n");
  const auto child = WriteFile(
      dir / "child.toml",
      "base = \"base.toml\"\n[model.backbone]\n_replace_ = true\ntype = \"b\"\n");
  auto doc = ConfigDocument::Load(child);
  ASSERT_THAT(doc, IsOk());
  EXPECT_THAT(doc->ToToml(), AllOf(HasSubstr("type = 'b'"), Not(HasSubstr("width")),
                                   Not(HasSubstr("_replace_"))));
}

TEST(ConfigDocumentTest, ListOfBasesAppliesInOrder) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "a.toml", "[run]\nseed = 1\nname = \"a\"\n");
  WriteFile(dir / "b.toml", "[run]\nseed = 2\n");
  const auto child = WriteFile(dir / "c.toml", "base = [\"a.toml\", \"b.toml\"]\n");
  auto doc = ConfigDocument::Load(child);
  ASSERT_THAT(doc, IsOk());
  EXPECT_THAT(doc->ToToml(), AllOf(HasSubstr("seed = 2"), HasSubstr("name = 'a'")));
}

TEST(ConfigDocumentTest, LayersMergeInOrderThenOverridesApply) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "base.toml", "[run]\nname = \"base\"\nseed = 1\n");
  const auto experiment =
      WriteFile(dir / "experiment.toml", "base = \"base.toml\"\n[run]\nseed = 2\n[train]\nlr = 0.1\n");
  const auto layer = WriteFile(dir / "sub/layer.toml", "[train]\nlr = 0.2\niterations = 5\n");
  auto doc = ConfigDocument::LoadLayers({experiment, layer}, {"run.seed=7"});
  ASSERT_THAT(doc, IsOk());
  EXPECT_THAT(doc->ToToml(), AllOf(HasSubstr("name = 'base'"), HasSubstr("seed = 7"),
                                   HasSubstr("lr = 0.2"), HasSubstr("iterations = 5")));
  EXPECT_THAT(ConfigDocument::LoadLayers({experiment, dir / "missing.toml"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.toml")));
}

TEST(ConfigDocumentTest, EraseRemovesATableOrValue) {
  auto doc = ConfigDocument::Parse("[run]\nseed = 1\nname = \"a\"\n[self_training.x]\ntype = \"y\"\n", "t");
  ASSERT_THAT(doc, IsOk());
  doc->Erase("self_training");
  doc->Erase("run.seed");
  doc->Erase("no.such.key");
  EXPECT_THAT(doc->ToToml(), AllOf(Not(HasSubstr("self_training")), Not(HasSubstr("seed")),
                                   HasSubstr("name = 'a'")));
}

TEST(ConfigDocumentTest, OverridesParseTomlAndFallBackToStrings) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "x.toml", "[[augment.pipeline]]\ntype = \"flip\"\n");
  auto doc = ConfigDocument::Load(file, {"run.seed=7", "model.backbone.type=resnet",
                                         "augment.pipeline[0].probability=0.25",
                                         "data.train.sizes=[1, 2]"});
  ASSERT_THAT(doc, IsOk());
  const std::string text = doc->ToToml();
  EXPECT_THAT(text, HasSubstr("seed = 7"));
  EXPECT_THAT(text, HasSubstr("type = 'resnet'"));
  EXPECT_THAT(text, HasSubstr("probability = 0.25"));
  EXPECT_THAT(text, HasSubstr("sizes = [ 1, 2 ]"));
}

TEST(ConfigDocumentTest, BadOverridesAreErrors) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "x.toml", "[run]\nseed = 1\n");
  EXPECT_THAT(ConfigDocument::Load(file, {"run.seed"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key.path=value")));
  EXPECT_THAT(ConfigDocument::Load(file, {"run.seed.x=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'run.seed' is not a table")));
  EXPECT_THAT(ConfigDocument::Load(file, {"augment.pipeline[3].p=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no element [3]")));
}

TEST(ConfigDocumentTest, SyntaxErrorNamesFileLineAndColumn) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "broken.toml", "[run]\nseed = = 3\n");
  EXPECT_THAT(ConfigDocument::Load(file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("broken.toml:2:"), HasSubstr("TOML syntax error"))));
}

TEST(ConfigDocumentTest, MissingBaseNamesTheReferringLine) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "child.toml", "# comment\nbase = \"nope.toml\"\n");
  EXPECT_THAT(ConfigDocument::Load(file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("child.toml:2:"), HasSubstr("nope.toml' does not exist"))));
}

TEST(ConfigDocumentTest, MissingFileIsNotFound) {
  EXPECT_THAT(ConfigDocument::Load("/nonexistent/x.toml"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/x.toml")));
}

// Issue 20, defect 1: a 16,000-level dotted header killed `stlab validate` with
// SIGSEGV (unbounded recursion). Any depth is now a clear error at its line.
TEST(ConfigDocumentTest, DeepNestingIsAnErrorNotAStackOverflow) {
  const auto dir = FreshTestDir();
  auto dotted = [](int parts) {
    std::string key = "a";
    for (int i = 1; i < parts; ++i) key += ".a";
    return key;
  };
  // 16,000 parts overflowed our merge; 100,000 overflow toml++'s own parser.
  for (int parts : {16000, 100000}) {
    const auto file = WriteFile(dir / "deep.toml", "[run]\nseed = 1\n[" + dotted(parts) + "]\n");
    EXPECT_THAT(ConfigDocument::Load(file),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("deep.toml:3:"), HasSubstr("more than 64 parts"))));
  }
  EXPECT_THAT(ConfigDocument::Parse("x = 1\n[" + dotted(16000) + "]\n", "<text>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("<text>:2:")));
  const auto shallow = WriteFile(dir / "shallow.toml", "[run]\nseed = 1\n");
  EXPECT_THAT(ConfigDocument::Load(shallow, {dotted(16000) + "=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("16000 levels")));
  // Nesting by tables and inline values together.
  std::string nested = "1";
  for (int i = 0; i < 40; ++i) nested = "{ a = " + nested + " }";
  const auto mixed = WriteFile(dir / "mixed.toml", "[" + dotted(40) + "]\nb = " + nested + "\n");
  EXPECT_THAT(ConfigDocument::Load(mixed),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("mixed.toml:"), HasSubstr("a.a.a.a..."),
                             HasSubstr("nests more than 64"))));
  for (int i = 0; i < 60; ++i) nested = "{ a = " + nested + " }";
  EXPECT_THAT(ConfigDocument::Load(shallow, {"run.x=" + nested}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nests more than 64")));
  // Dots in strings, comments and numbers are not key parts.
  const std::string dots(200, '.');
  EXPECT_THAT(ConfigDocument::Parse("# " + dots + "\nx = \"" + dots + "\"\ny = '" + dots +
                                        "'\nz = \"\"\"\n" + dots + "\n\"\"\"\nw = 1.5\n",
                                    "<text>"),
              IsOk());
  // The bound leaves room: 60 levels load.
  EXPECT_THAT(ConfigDocument::Parse("[" + dotted(60) + "]\nx = 1\n", "<text>"), IsOk());
}

TEST(ConfigDocumentTest, DirectoryGivenAsConfigSaysSo) {
  const auto dir = FreshTestDir();
  std::filesystem::create_directories(dir / "configs.toml");
  EXPECT_THAT(ConfigDocument::Load(dir / "configs.toml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
  const auto child = WriteFile(dir / "child.toml", "base = \"configs.toml\"\n");
  EXPECT_THAT(ConfigDocument::Load(child),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("child.toml:1:"), HasSubstr("is a directory"))));
}

TEST(ConfigDocumentTest, InheritanceCycleIsReported) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "a.toml", "base = \"b.toml\"\n");
  const auto b = WriteFile(dir / "b.toml", "base = \"a.toml\"\n");
  EXPECT_THAT(ConfigDocument::Load(b),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("inheritance cycle")));
}

TEST(ConfigDocumentTest, PluginPathsResolveAgainstTheNamingFile) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "sub/base.toml", "plugins = [\"../my_plugins\", \"/abs/p\"]\n");
  const auto child = WriteFile(dir / "child.toml", "base = \"sub/base.toml\"\n");
  auto doc = ConfigDocument::Load(child);
  ASSERT_THAT(doc, IsOk());
  const auto paths = doc->PluginPaths();
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], (dir / "my_plugins").lexically_normal());
  EXPECT_EQ(paths[1], std::filesystem::path("/abs/p"));
  // Each is named by the file that declared it, at its entry.
  const auto origins = doc->PluginPathOrigins();
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_EQ(origins[0], (dir / "sub/base.toml").string() + ":1:12");
  EXPECT_EQ(origins[1], (dir / "sub/base.toml").string() + ":1:29");
}

}  // namespace
}  // namespace stlab
