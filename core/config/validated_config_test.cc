#include "core/config/validated_config.h"

#include "core/augmentation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
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

class NoOpAugmentation : public Augmentation {
 public:
  absl::Status Apply(Sample&, Rng&) const override { return absl::OkStatus(); }
};

// A schema with one engine parameter and one required and one repeated slot.
ConfigSchema TestSchema() {
  return {{{"run", "run", {ParamSpec::Int("seed", 0, "seed").Min(0)}, {}},
           {"augment",
            "aug",
            {},
            {{"main", {"augmentation"}, true, false, "main op"},
             {"pipeline", {"augmentation"}, false, true, "ops"}}}}};
}

class ValidatedConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto factory = [](const Params&, const NoContext&)
        -> absl::StatusOr<std::shared_ptr<Augmentation>> {
      return std::make_shared<NoOpAugmentation>();
    };
    ASSERT_THAT(registries_.augmentations().Add(
                    {"jitter",
                     "test",
                     {ParamSpec::Float("probability", 0.5, "p").Range(0.0, 1.0),
                      ParamSpec::Int("size", 8, "size").Min(1),
                      ParamSpec::String("mode", "nearest", "mode").OneOf({"nearest", "bilinear"}),
                      ParamSpec::FloatList("scale", {0.5, 2.0}, "range").Length(2)}},
                    factory),
                IsOk());
    ASSERT_THAT(registries_.augmentations().Add(
                    {"needs_size", "test", {ParamSpec::RequiredInt("size", "size")}}, factory),
                IsOk());
  }

  absl::StatusOr<ValidatedConfig> Validate(const std::string& text) {
    const auto file = WriteFile(FreshTestDir() / "exp.toml", text);
    absl::StatusOr<ConfigDocument> doc = ConfigDocument::Load(file);
    if (!doc.ok()) return doc.status();
    return ValidateConfig(*doc, TestSchema(), registries_);
  }

  Registries registries_;
};

TEST_F(ValidatedConfigTest, ResolvesDefaultsAndComponents) {
  auto config = Validate(
      "[run]\nseed = 3\n[augment.main]\ntype = \"jitter\"\nsize = 4\n"
      "[[augment.pipeline]]\ntype = \"jitter\"\nprobability = 1\n"
      "[[augment.pipeline]]\ntype = \"needs_size\"\nsize = 2\n");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->Section("run").GetInt("seed"), 3);
  const ComponentConfig* main = config->Component("augment.main");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->type, "jitter");
  EXPECT_EQ(std::get<int64_t>(main->values.at("size")), 4);
  EXPECT_EQ(std::get<double>(main->values.at("probability")), 0.5);
  const auto pipeline = config->Components("augment.pipeline");
  ASSERT_EQ(pipeline.size(), 2u);
  EXPECT_EQ(std::get<double>(pipeline[0]->values.at("probability")), 1.0);  // int widened.
  EXPECT_EQ(pipeline[1]->type, "needs_size");
}

TEST_F(ValidatedConfigTest, ResolvedTomlRevalidatesToTheSameConfig) {
  auto config = Validate("[augment.main]\ntype = \"jitter\"\n[[augment.pipeline]]\ntype = "
                         "\"jitter\"\nscale = [1, 3]\n");
  ASSERT_THAT(config, IsOk());
  const std::string resolved = config->ToToml();
  EXPECT_THAT(resolved, AllOf(HasSubstr("seed = 0"), HasSubstr("mode = \"nearest\""),
                              HasSubstr("[[augment.pipeline]]")));
  auto again = Validate(resolved);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->ToToml(), resolved);
}

TEST_F(ValidatedConfigTest, ReportsEveryErrorWithFileLineAndKey) {
  auto config = Validate(
      "[run]\n"                          // 1
      "seed = -1\n"                      // 2
      "sed = 3\n"                        // 3
      "[augment.main]\n"                 // 4
      "type = \"jiter\"\n"               // 5
      "[[augment.pipeline]]\n"           // 6
      "type = \"jitter\"\n"              // 7
      "probability = 1.5\n"              // 8
      "size = \"big\"\n"                 // 9
      "mode = \"cubic\"\n"               // 10
      "scale = [1.0]\n"                  // 11
      "[[augment.pipeline]]\n"           // 12
      "type = \"needs_size\"\n"          // 13
      "[trian]\n"                        // 14
      "x = 1\n");
  ASSERT_FALSE(config.ok());
  const std::string m(config.status().message());
  EXPECT_THAT(m, HasSubstr("exp.toml:2:8: run.seed: must be int >= 0, got -1"));
  EXPECT_THAT(m, HasSubstr("exp.toml:3:7: run.sed: unknown key 'sed' (did you mean 'seed'?)"));
  EXPECT_THAT(m, HasSubstr("exp.toml:5:8: augment.main.type: unknown augmentation 'jiter' (did "
                           "you mean 'jitter'?); registered augmentations: jitter, needs_size"));
  EXPECT_THAT(m, HasSubstr("exp.toml:8:15: augment.pipeline[0].probability: must be float in "
                           "[0, 1], got 1.5"));
  EXPECT_THAT(m, HasSubstr("exp.toml:9:8: augment.pipeline[0].size: must be int >= 1, got string"));
  EXPECT_THAT(m, HasSubstr("augment.pipeline[0].mode: must be one of {nearest, bilinear}, got "
                           "\"cubic\""));
  EXPECT_THAT(m, HasSubstr("augment.pipeline[0].scale: must have exactly 2 elements, got 1"));
  EXPECT_THAT(m, HasSubstr("exp.toml:12:1: augment.pipeline[1].size: required int is not set"));
  EXPECT_THAT(m, HasSubstr("exp.toml:14:1: trian: unknown section 'trian'"));
  EXPECT_THAT(m, HasSubstr("9 config errors"));
}

TEST_F(ValidatedConfigTest, MissingRequiredSlotListsRegisteredNames) {
  auto config = Validate("[augment]\n[[augment.pipeline]]\ntype = \"jitter\"\n");
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("augment.main: required augmentation is not set (main "
                                         "op); registered: jitter, needs_size")));
}

TEST_F(ValidatedConfigTest, WrongShapesAreErrors) {
  EXPECT_THAT(Validate("run = 3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("run: must be a table, got int")));
  EXPECT_THAT(Validate("[augment]\nmain = \"jitter\"\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("augment.main: must be a table naming a augmentation")));
  EXPECT_THAT(Validate("[augment.main]\nsize = 3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("augment.main.type: must name a registered augmentation")));
  EXPECT_THAT(Validate("plugins = \"x\"\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plugins: must be a list")));
}

TEST_F(ValidatedConfigTest, OverrideErrorsNameTheOverride) {
  const auto file = WriteFile(FreshTestDir() / "exp.toml", "[augment.main]\ntype = \"jitter\"\n");
  auto doc = ConfigDocument::Load(file, {"augment.main.size=0"});
  ASSERT_THAT(doc, IsOk());
  EXPECT_THAT(ValidateConfig(*doc, TestSchema(), registries_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("<--set augment.main.size=0>:1:9: augment.main.size: must be int "
                                 ">= 1, got 0")));
}

TEST(ExperimentSchemaTest, EveryDeclaredSlotNamesAKnownKind) {
  Registries registries;
  for (const SectionSpec& section : ExperimentSchema().sections) {
    for (const SlotSpec& slot : section.slots) {
      for (const std::string& kind : slot.kinds) {
        EXPECT_NE(registries.FindKind(kind), nullptr) << section.name << "." << slot.key;
      }
    }
  }
}

}  // namespace
}  // namespace stlab
