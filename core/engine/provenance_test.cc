#include "core/engine/provenance.h"

#include <memory>
#include <string>

#include "core/dataset.h"
#include "core/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::WriteFile;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

// A schema with a [run] parameter and an optional data.train slot.
ConfigSchema TestSchema() {
  return {{{"run", "run", {ParamSpec::Int("seed", 0, "seed").Min(0)}, {}},
           {"data", "data", {}, {{"train", {"dataset"}, false, false, "training data"}}}}};
}

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto never_built = [](const Params&, const DatasetContext&)
        -> absl::StatusOr<std::shared_ptr<Dataset>> {
      return absl::UnimplementedError("not built in these tests");
    };
    ASSERT_THAT(registries_.datasets().Add(
                    {"folder",
                     "test",
                     {ParamSpec::Required("root", ParamType::kString, "root"),
                      ParamSpec::Bool("recursive", true, "recursive")}},
                    never_built),
                IsOk());
  }

  ValidatedConfig Validate(const std::string& text) {
    const auto file = WriteFile(FreshTestDir() / "exp.toml", text);
    absl::StatusOr<ConfigDocument> doc = ConfigDocument::Load(file);
    EXPECT_THAT(doc, IsOk());
    absl::StatusOr<ValidatedConfig> config = ValidateConfig(*doc, TestSchema(), registries_);
    EXPECT_THAT(config, IsOk());
    return *config;
  }

  Registries registries_;
};

TEST_F(ProvenanceTest, RecordsConfigDigestDataInitMethodAndVersion) {
  const ValidatedConfig config =
      Validate("[run]\nseed = 3\n[data.train]\ntype = \"folder\"\nroot = \"images\"\n");
  RunState state;
  state.iteration = 40;
  state.text["other"] = "kept";
  RecordProvenance(config, "supervised", "random (fan_out)", state);
  EXPECT_EQ(state.text.at("method"), "supervised");
  EXPECT_EQ(state.text.at("config_sha256"), Sha256Hex(config.ToToml()));
  EXPECT_EQ(state.text.at("data"), "folder(recursive=true, root=\"images\")");
  EXPECT_EQ(state.text.at("init"), "random (fan_out)");
  EXPECT_THAT(state.text.at("stlab_version"), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
  EXPECT_EQ(state.text.at("other"), "kept");
  EXPECT_EQ(state.iteration, 40);
}

TEST_F(ProvenanceTest, DataIsNoneWithoutDataTrain) {
  RunState state;
  RecordProvenance(Validate("[run]\nseed = 1\n"), "train", "", state);
  EXPECT_EQ(state.text.at("data"), "none");
}

TEST_F(ProvenanceTest, DescriptionNamesMethodIterationsDigestPrefixDataAndVersion) {
  const ValidatedConfig config =
      Validate("[data.train]\ntype = \"folder\"\nroot = \"images\"\nrecursive = false\n");
  RunState state;
  state.iteration = 500;
  RecordProvenance(config, "simclr", "construction", state);
  EXPECT_EQ(DescribeProvenance(state),
            "simclr, 500 iterations, config sha256:" + Sha256Hex(config.ToToml()).substr(0, 12) +
                ", data folder(recursive=false, root=\"images\"), stlab " +
                state.text.at("stlab_version"));
}

TEST_F(ProvenanceTest, OldCheckpointsDescribeWhatTheyHave) {
  RunState none;
  none.iteration = 7;
  none.text["init"] = "random";
  EXPECT_THAT(DescribeProvenance(none), IsEmpty());
  RunState legacy_backbone;  // backbone.pt before provenance was recorded.
  legacy_backbone.iteration = 300;
  legacy_backbone.text["pretrain/method"] = "supervised";
  EXPECT_THAT(DescribeProvenance(legacy_backbone), Eq("supervised, 300 iterations"));
}

}  // namespace
}  // namespace stlab
