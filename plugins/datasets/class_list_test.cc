// Tests for the class list parameters `classes` and `classes_file`.
#include "plugins/datasets/class_list.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab::datasets {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Names = std::vector<std::string>;

// The class list of `values` given to the two declared parameters.
absl::StatusOr<Names> Classes(std::map<std::string, ParamValue> values,
                              const fs::path& base_dir = {}, const Names& defaults = {},
                              size_t max_classes = 255) {
  absl::StatusOr<Params> params = ResolveParams(ClassListParams("names", ""), std::move(values));
  EXPECT_THAT(params, IsOk());
  if (!params.ok()) return params.status();
  return ClassListFromParams(*params, base_dir, defaults, max_classes);
}

// The class list, expected to be valid.
Names MustClasses(std::map<std::string, ParamValue> values, const fs::path& base_dir = {},
                  const Names& defaults = {}) {
  absl::StatusOr<Names> names = Classes(std::move(values), base_dir, defaults);
  EXPECT_THAT(names, IsOk());
  return names.ok() ? *std::move(names) : Names();
}

TEST(ClassListTest, InlineClassesAreTakenInOrder) {
  EXPECT_THAT(MustClasses({{"classes", Names{"sky", "road"}}}), ElementsAre("sky", "road"));
}

TEST(ClassListTest, FileHasOneNamePerLineRelativeToTheConfig) {
  const fs::path dir = FreshTestDir();
  WriteFile(dir / "lists" / "classes.txt", "raccoon\n\n  red panda \r\n");
  EXPECT_THAT(MustClasses({{"classes_file", std::string("lists/classes.txt")}}, dir),
              ElementsAre("raccoon", "red panda"));
}

TEST(ClassListTest, DefaultWhenNeitherIsSet) {
  EXPECT_THAT(MustClasses({}, {}, Names{"a", "b"}), ElementsAre("a", "b"));
  EXPECT_THAT(Classes({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("set classes = [...] or classes_file")));
}

TEST(ClassListTest, BadListsAreErrorsNamingTheFileAndLine) {
  const fs::path dir = FreshTestDir();
  EXPECT_THAT(Classes({{"classes", Names{"a"}}, {"classes_file", std::string("c.txt")}}, dir),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not both")));
  EXPECT_THAT(Classes({{"classes_file", std::string("missing.txt")}}, dir),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr((dir / "missing.txt").string() + ": class file not found")));
  WriteFile(dir / "twice.txt", "cat\ndog\n\ncat\n");
  EXPECT_THAT(Classes({{"classes_file", std::string("twice.txt")}}, dir),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("twice.txt:4: class 'cat' is listed twice")));
  WriteFile(dir / "blank.txt", "\n \n");
  EXPECT_THAT(Classes({{"classes_file", std::string("blank.txt")}}, dir),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("blank.txt: no class names")));
  EXPECT_THAT(Classes({{"classes", Names{"a", ""}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("class 1 has an empty name")));
  EXPECT_THAT(Classes({{"classes", Names{"a", "b", "a"}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a' is listed twice")));
  EXPECT_THAT(Classes({{"classes", Names{"a", "b", "c"}}}, {}, {}, 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("3 classes"), HasSubstr("at most 2"))));
}

}  // namespace
}  // namespace stlab::datasets
