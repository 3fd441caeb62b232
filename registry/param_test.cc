#include "registry/param.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ParamSpecTest, DescribesConstraints) {
  EXPECT_EQ(ParamSpec::Float("p", 0.5, "").Range(0, 1).DescribeConstraint(), "float in [0, 1]");
  EXPECT_EQ(ParamSpec::Int("n", 1, "").Min(1).DescribeConstraint(), "int >= 1");
  EXPECT_EQ(ParamSpec::String("m", "a", "").OneOf({"a", "b"}).DescribeConstraint(),
            "string, one of {a, b}");
  EXPECT_EQ(ParamSpec::IntList("s", {1, 2}, "").Length(2).Min(1).DescribeConstraint(),
            "list of 2 int >= 1");
}

TEST(ParamSpecTest, AboveIsAnExclusiveLowerBound) {
  const ParamSpec scale = ParamSpec::Float("scale", 1.0, "").Above(0.0);
  EXPECT_TRUE(scale.min_exclusive());
  EXPECT_EQ(scale.DescribeConstraint(), "float > 0");
  EXPECT_THAT(scale.Accept(0.0), StatusIs(absl::StatusCode::kOutOfRange, "must be float > 0, got 0"));
  EXPECT_THAT(scale.Accept(-1.0), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("got -1")));
  EXPECT_THAT(scale.Accept(1e-9), IsOk());
  EXPECT_EQ(ParamSpec::Float("p", 0.5, "").Above(0).Max(1).DescribeConstraint(), "float in (0, 1]");
  // Min() after Above() makes the bound inclusive again.
  EXPECT_THAT(ParamSpec::Float("p", 0.5, "").Above(0).Min(0).Accept(0.0), IsOk());
}

TEST(ParamSpecTest, AcceptWidensIntsToFloatsOnly) {
  auto f = ParamSpec::Float("p", 0.5, "");
  EXPECT_EQ(std::get<double>(*f.Accept(int64_t{1})), 1.0);
  auto fl = ParamSpec::FloatList("s", {}, "");
  EXPECT_EQ(std::get<std::vector<double>>(*fl.Accept(std::vector<int64_t>{1, 2})),
            (std::vector<double>{1.0, 2.0}));
  EXPECT_THAT(ParamSpec::Int("n", 1, "").Accept(2.5),
              StatusIs(absl::StatusCode::kInvalidArgument, "must be int, got float"));
}

TEST(ParamSpecTest, AcceptChecksRangeChoicesAndLength) {
  EXPECT_THAT(ParamSpec::Float("p", 0.5, "").Range(0, 1).Accept(1.5),
              StatusIs(absl::StatusCode::kOutOfRange, "must be float in [0, 1], got 1.5"));
  EXPECT_THAT(ParamSpec::StringList("m", {}, "").OneOf({"a"}).Accept(std::vector<std::string>{"b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("one of {a}")));
  EXPECT_THAT(ParamSpec::IntList("s", {}, "").Length(2).Accept(std::vector<int64_t>{1}),
              StatusIs(absl::StatusCode::kInvalidArgument, "must have exactly 2 elements, got 1"));
  EXPECT_THAT(ParamSpec::Float("p", 0.5, "").Accept(std::nan("")),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("got nan")));
}

TEST(ParamSpecTest, IntsMayListTheirAllowedValues) {
  const ParamSpec depth = ParamSpec::Int("depth", 50, "").OneOf({"18", "34", "50", "101"});
  EXPECT_EQ(depth.DescribeConstraint(), "int, one of {18, 34, 50, 101}");
  EXPECT_THAT(depth.Accept(int64_t{34}), IsOk());
  EXPECT_THAT(depth.Accept(int64_t{19}),
              StatusIs(absl::StatusCode::kInvalidArgument, "must be one of {18, 34, 50, 101}, got 19"));
}

TEST(ParamSpecTest, FileNameIsOneEntryOfAFolder) {
  const ParamSpec name = ParamSpec::String("name", "run", "").FileName();
  EXPECT_THAT(name.Accept(std::string("detection_tiny")), IsOk());
  EXPECT_THAT(name.Accept(std::string("..x")), IsOk());
  for (const std::string bad : {"", ".", "..", "../../x", "/tmp/x", "a/b"}) {
    EXPECT_THAT(name.Accept(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("a file name (not empty, no '/', not . or ..)"),
                               HasSubstr(absl::StrCat("got \"", bad, "\"")))))
        << bad;
  }
}

TEST(ResolveParamsTest, FillsDefaultsAndRejectsUnknownOrMissing) {
  const ParamSpecs specs = {ParamSpec::Int("a", 1, ""), ParamSpec::RequiredInt("b", "")};
  auto params = ResolveParams(specs, {{"b", int64_t{5}}});
  ASSERT_THAT(params, IsOk());
  EXPECT_EQ(params->GetInt("a"), 1);
  EXPECT_EQ(params->GetInt("b"), 5);
  EXPECT_THAT(ResolveParams(specs, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "required parameter 'b' is not set"));
  EXPECT_THAT(ResolveParams(specs, {{"b", int64_t{1}}, {"c", true}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown parameter 'c'"));
}

TEST(ParamsTest, UndeclaredOrMistypedReadIsALogicError) {
  Params params({{"a", int64_t{1}}});
  EXPECT_THROW(params.GetInt("missing"), std::logic_error);
  EXPECT_THROW(params.GetFloat("a"), std::logic_error);
}

TEST(FormatParamValueTest, WritesToml) {
  EXPECT_EQ(FormatParamValue(1.0), "1.0");
  EXPECT_EQ(FormatParamValue(std::string("a\"b")), "\"a\\\"b\"");
  EXPECT_EQ(FormatParamValue(std::vector<int64_t>{1, 2}), "[1, 2]");
  EXPECT_EQ(FormatParamValue(true), "true");
}

}  // namespace
}  // namespace stlab
