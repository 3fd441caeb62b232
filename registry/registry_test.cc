#include "registry/registry.h"

#include "core/augmentation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class Scale : public Augmentation {
 public:
  explicit Scale(double factor) : factor(factor) {}
  absl::Status Apply(Sample&, Rng&) const override { return absl::OkStatus(); }
  double factor;
};

Registry<Augmentation>::Factory ScaleFactory() {
  return [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<Augmentation>> {
    if (p.GetFloat("factor") == 3.0) throw std::runtime_error("three is unlucky");
    return std::make_shared<Scale>(p.GetFloat("factor"));
  };
}

ComponentInfo ScaleInfo(const std::string& name) {
  return {name, "scales", {ParamSpec::Float("factor", 2.0, "how much").Min(0.0)}};
}

TEST(RegistryTest, CreatesWithDefaultsAndGivenValues) {
  Registries registries;
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  auto made = registries.augmentations().Create("scale", {});
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(static_cast<Scale&>(**made).factor, 2.0);
  made = registries.augmentations().Create("scale", {{"factor", 0.5}});
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(static_cast<Scale&>(**made).factor, 0.5);
}

TEST(RegistryTest, UnknownNameListsAvailableAndSuggests) {
  Registries registries;
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("shear"), ScaleFactory()), IsOk());
  EXPECT_THAT(registries.augmentations().Create("scael", {}),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("unknown augmentation 'scael' (did you mean 'scale'?)"),
                             HasSubstr("registered augmentations: scale, shear"),
                             HasSubstr("loaded plugins: none"))));
}

TEST(RegistryTest, DuplicateNameNamesBothOrigins) {
  Registries registries("first.so");
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  ComponentInfo second = ScaleInfo("scale");
  second.origin = "second.so";
  EXPECT_THAT(registries.augmentations().Add(second, ScaleFactory()),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       "augmentation 'scale' is registered twice: by first.so and by second.so"));
}

TEST(RegistryTest, BadParamsAndThrowingFactoriesBecomeStatus) {
  Registries registries;
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  EXPECT_THAT(registries.augmentations().Create("scale", {{"factor", -1.0}}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "augmentation 'scale': parameter 'factor' must be float >= 0, got -1"));
  EXPECT_THAT(registries.augmentations().Create("scale", {{"factor", 3.0}}),
              StatusIs(absl::StatusCode::kInternal,
                       "augmentation 'scale': three is unlucky"));
}

TEST(RegistriesTest, AdoptIsAllOrNothing) {
  Registries host;
  ASSERT_THAT(host.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  Registries staged("plugin 'p'");
  ASSERT_THAT(staged.augmentations().Add(ScaleInfo("shear"), ScaleFactory()), IsOk());
  ASSERT_THAT(staged.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  EXPECT_THAT(host.Adopt(staged, {"p", "1", "/p.so"}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("by built-in and by plugin 'p'")));
  EXPECT_FALSE(host.augmentations().Contains("shear"));
  EXPECT_TRUE(host.loaded_plugins().empty());
}

TEST(RegistriesTest, FindsKindsAndComponentsAcrossKinds) {
  Registries registries;
  ASSERT_THAT(registries.augmentations().Add(ScaleInfo("scale"), ScaleFactory()), IsOk());
  ASSERT_NE(registries.FindKind("loss_combiner"), nullptr);
  EXPECT_EQ(registries.FindKind("nope"), nullptr);
  auto found = registries.FindAnyKind("scale");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->first->kind(), "augmentation");
  EXPECT_THAT(registries.FindAnyKind("scal"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("did you mean 'scale'?")));
}

}  // namespace
}  // namespace stlab
