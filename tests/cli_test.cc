// The stlab executable, run as a user would run it.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr together.
};

Result RunCli(const std::string& args) {
  const std::string command = std::string(STLAB_CLI) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(CliTest, PluginsListsEveryKindAndTheBuiltInPlugins) {
  Result r = RunCli("plugins");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("augment "), HasSubstr("self_training "),
                              HasSubstr("backbone: "), HasSubstr("loss_combiner: "),
                              HasSubstr("loss_normalization"), HasSubstr("horizontal_flip")));
}

TEST(CliTest, PluginsShowPrintsDeclaredParameters) {
  Result r = RunCli("plugins show loss_normalization");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("loss_normalization (loss_combiner)"),
                              HasSubstr("decay"), HasSubstr("float in [0, 1]"),
                              HasSubstr("default 0.99"), HasSubstr("registered by plugin 'self_training'")));
  r = RunCli("plugins show loss_combiner/sum");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = RunCli("plugins show los_normalization");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("did you mean 'loss_normalization'?"));
}

TEST(CliTest, ValidatePrintsTheResolvedConfig) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "x.toml",
                              "[self_training.pseudo_labeler]\ntype = \"detection_threshold\"\n"
                              "[self_training.loss_combiner]\ntype = \"loss_normalization\"\n");
  Result r = RunCli("validate " + file.string() + " --set self_training.loss_combiner.alpha=2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("alpha = 2.0"), HasSubstr("decay = 0.99"),
                              HasSubstr("threshold = 0.5"), HasSubstr("seed = 0")));
}

TEST(CliTest, ValidateReportsAllErrorsWithLocationsAndFails) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "bad.toml",
                              "[run]\nsed = 1\n[self_training.loss_combiner]\n"
                              "type = \"loss_normalisation\"\n");
  Result r = RunCli("validate " + file.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output,
              AllOf(HasSubstr("bad.toml:2:7: run.sed: unknown key 'sed' (did you mean 'seed'?)"),
                    HasSubstr("bad.toml:4:8: self_training.loss_combiner.type: unknown "
                              "loss_combiner 'loss_normalisation' (did you mean "
                              "'loss_normalization'?)"),
                    HasSubstr("self_training.pseudo_labeler: required pseudo_labeler is not set")));
}

TEST(CliTest, ConfigPluginsListLoadsAPluginByConfigAlone) {
  const auto dir = FreshTestDir();
  const auto file = WriteFile(dir / "x.toml",
                              std::string("plugins = [\"") + STLAB_TEST_PLUGIN_DIR +
                                  "/libstlab_test_good.so\"]\n[[augment.pipeline]]\n"
                                  "type = \"test_noop\"\nlevel = 3\n");
  Result r = RunCli("validate " + file.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("type = \"test_noop\""), HasSubstr("level = 3")));
}

TEST(CliTest, UnknownCommandAndMissingArgumentsAreUsageErrors) {
  EXPECT_EQ(RunCli("frobnicate").exit_code, 2);
  EXPECT_THAT(RunCli("tran x.toml").output,
              HasSubstr("unknown command 'tran' (did you mean 'train'?)"));
  EXPECT_EQ(RunCli("validate").exit_code, 2);
  EXPECT_EQ(RunCli("").exit_code, 2);
  EXPECT_THAT(RunCli("").output, HasSubstr("usage: stlab COMMAND"));
  EXPECT_EQ(RunCli("train a.toml b.toml").exit_code, 2);
  EXPECT_EQ(RunCli("eval x.toml").exit_code, 2);  // --checkpoint is required.
  EXPECT_EQ(RunCli("augment-preview x.toml --output_dir d --images 0").exit_code, 2);
  EXPECT_EQ(RunCli("train x.toml --log_level").exit_code, 2);  // A flag without its value.
}

TEST(CliTest, EachCommandAcceptsOnlyItsOwnFlags) {
  // --images belongs to augment-preview: train refuses it instead of ignoring it.
  Result r = RunCli("train x.toml --images 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, AllOf(HasSubstr("stlab train has no flag --images"),
                              HasSubstr("usage: stlab train CONFIG")));
  r = RunCli("eval x.toml --chekpoint m.pt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("has no flag --chekpoint (did you mean 'checkpoint'?)"));
}

TEST(CliTest, HelpExitsZeroWithTheUsageGeneratedFromTheCommandTable) {
  for (const char* line : {"--help", "help", "-h"}) {
    Result r = RunCli(line);
    EXPECT_EQ(r.exit_code, 0) << line;
    // Every command is listed with its arguments.
    EXPECT_THAT(r.output, AllOf(HasSubstr("usage: stlab COMMAND"), HasSubstr("  train CONFIG\n"),
                                HasSubstr("  eval CONFIG --checkpoint PATH\n"),
                                HasSubstr("  suite plan|run|report SUITE"),
                                HasSubstr("--plugin_path")))
        << line;
  }
  Result r = RunCli("augment-preview --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, AllOf(HasSubstr("usage: stlab augment-preview CONFIG --output_dir DIR"),
                              HasSubstr("--images N"), HasSubstr("--seed S")));
}

TEST(CliTest, EvaluateCocoPrintsTheSummaryAndWritesJson) {
  const std::filesystem::path dir = FreshTestDir();
  const std::filesystem::path tiny = ::stlab::testing::RepositoryFixture("coco_eval/tiny");
  // .gz input is accepted.
  for (const char* name : {"gt.json", "dets.json"}) {
    const std::string gzip = "gzip -c '" + (tiny / name).string() + "' > '" +
                             (dir / name).string() + ".gz'";
    ASSERT_EQ(std::system(gzip.c_str()), 0) << gzip;
  }
  const auto out = dir / "stats.json";
  Result r = RunCli("evaluate coco --gt " + (dir / "gt.json.gz").string() + " --dets " +
                    (dir / "dets.json.gz").string() + " --json " + out.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | "
                                  "maxDets=100 ] = "));
  std::ifstream in(out);
  std::stringstream json;
  json << in.rdbuf();
  EXPECT_THAT(json.str(), AllOf(HasSubstr("\"AP\":"), HasSubstr("\"ARl\":")));
}

TEST(CliTest, CheckDataReadsEverySampleAndNamesBrokenFiles) {
  const auto dir = FreshTestDir();
  const auto good = WriteFile(dir / "good.toml",
                              "[data.train]\ntype = \"synthetic_shapes\"\nnum_images = 6\n"
                              "image_size = 64\n");
  Result r = RunCli("check-data " + good.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("data.train: 6 images, 6 read"), HasSubstr("boxes")));
  WriteFile(dir / "images" / "a.jpg", "not a jpeg");
  WriteFile(dir / "images" / "b.png", "not a png either");
  const auto broken = WriteFile(dir / "broken.toml",
                                "[data.train]\ntype = \"image_folder\"\nroot = \"images\"\n");
  r = RunCli("check-data " + broken.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, AllOf(HasSubstr("data.train: 2 images, 0 read, 2 broken"),
                              HasSubstr("a.jpg"), HasSubstr("b.png")));
  EXPECT_EQ(RunCli("check-data " + good.string() + " --limit 0").exit_code, 2);
}

TEST(CliTest, APluginThatDoesNotLoadIsNamedWhereItWasDeclared) {
  const auto dir = FreshTestDir();
  WriteFile(dir / "bases" / "base.toml", "plugins = [\"missing_plugins\"]\n");
  const auto main = WriteFile(dir / "main.toml", "base = \"bases/base.toml\"\n");
  Result r = RunCli("validate " + main.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output,
              AllOf(HasSubstr("main.toml: plugin loading failed"),
                    HasSubstr((dir / "bases" / "base.toml").string() + ":1:12: plugins: '" +
                              (dir / "bases" / "missing_plugins").string() +
                              "' is declared here")));
}

TEST(CliTest, EvaluateCocoErrorsNameTheFile) {
  const auto dir = FreshTestDir();
  const auto gt = WriteFile(dir / "gt.json", "{\"images\": [}");
  Result r = RunCli("evaluate coco --gt " + gt.string() + " --dets " + gt.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("gt.json"));
  EXPECT_EQ(RunCli("evaluate coco --gt " + gt.string()).exit_code, 2);
}

TEST(CliTest, ValidateMissingFileNamesIt) {
  Result r = RunCli("validate /nonexistent/exp.toml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("config file '/nonexistent/exp.toml' does not exist"));
}

TEST(CliTest, PluginPathEntriesThatNameNothingAreWarnedAbout) {
  const auto dir = FreshTestDir();
  const auto text = WriteFile(dir / "notes.txt", "not a plugin\n");
  Result r = RunCli("plugins");
  const std::string env = "STLAB_PLUGIN_PATH=" + (dir / "missing").string() + ":" + text.string();
  const std::string command = env + " " + std::string(STLAB_CLI) + " plugins 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("entry '" + (dir / "missing").string() + "' does not exist"),
                            HasSubstr("notes.txt' is neither a folder nor a .so library")));
  EXPECT_THAT(r.output, Not(HasSubstr("STLAB_PLUGIN_PATH")));
}

// Issue 20: `validate` accepted what `train` rejected only once it started.
TEST(CliTest, ValidateRejectsWhatTrainingWouldReject) {
  const std::string config = std::string(STLAB_SOURCE_DIR) +
                             "/configs/detection/synthetic_retinanet_tiny.toml";
  for (const auto& [set, expected] : std::vector<std::pair<std::string, std::string>>{
           {"train.warmup_iterations=5000",
            "train.warmup_iterations: must be at most train.iterations (600), got 5000"},
           {"model.backbone.depth=19",
            "model.backbone.depth: must be one of {18, 34, 50, 101}, got 19"},
           {"data.train_fraction=0.0", "data.train_fraction: must be above 0"},
           {"model.backbone.width_multiplier=0",
            "model.backbone.width_multiplier: must be float > 0, got 0"}}) {
    Result r = RunCli("validate " + config + " --set " + set);
    EXPECT_EQ(r.exit_code, 1) << set;
    EXPECT_THAT(r.output, HasSubstr(expected)) << set;
  }
}

// Found by the config fuzzer: a resolved config wrote every section with its
// defaults, and [self_training]'s required slots then failed validation.
TEST(CliTest, AResolvedConfigValidatesAgainToItself) {
  const std::string config = std::string(STLAB_SOURCE_DIR) +
                             "/configs/detection/synthetic_retinanet_tiny.toml";
  Result first = RunCli("validate " + config + " --log_level=error");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, Not(HasSubstr("[self_training]")));
  const auto resolved = WriteFile(FreshTestDir() / "resolved.toml", first.output);
  Result second = RunCli("validate " + resolved.string() + " --log_level=error");
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output, first.output);
}

TEST(CliTest, DeepConfigIsAnErrorNotACrash) {
  std::string key = "a";
  for (int i = 1; i < 100000; ++i) key += ".a";
  const auto file = WriteFile(FreshTestDir() / "deep.toml", "[" + key + "]\n");
  Result r = RunCli("validate " + file.string());
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 500);
  EXPECT_THAT(r.output, HasSubstr("deep.toml:1:129: a dotted key of more than 64 parts"));
  r = RunCli("validate " + file.parent_path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("is a directory, not a file"));
}

}  // namespace
}  // namespace stlab
