#include "core/status.h"

#include <stdexcept>

#include "c10/util/Exception.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  STLAB_ASSIGN_OR_RETURN(int half, Half(x));
  STLAB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, "odd"));
}

TEST(StatusTest, ReturnIfErrorStopsAtError) {
  int calls = 0;
  auto step = [&](bool ok) {
    ++calls;
    return ok ? absl::OkStatus() : absl::InternalError("boom");
  };
  auto run = [&]() -> absl::Status {
    STLAB_RETURN_IF_ERROR(step(true));
    STLAB_RETURN_IF_ERROR(step(false));
    STLAB_RETURN_IF_ERROR(step(true));
    return absl::OkStatus();
  };
  EXPECT_THAT(run(), StatusIs(absl::StatusCode::kInternal, "boom"));
  EXPECT_EQ(calls, 2);
}

TEST(StatusTest, CallAndCatchTurnsTorchErrorIntoStatusWithoutBacktrace) {
  absl::Status s = CallAndCatch("building backbone 'x'", []() -> absl::Status {
    TORCH_CHECK(false, "shape mismatch [3] vs [4]");
    return absl::OkStatus();
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal,
                          AllOf(HasSubstr("building backbone 'x': "), HasSubstr("shape mismatch"),
                                Not(HasSubstr("Exception raised from")))));
}

TEST(StatusTest, CallAndCatchKeepsValuesAndStdExceptions) {
  absl::StatusOr<int> ok = CallAndCatch("ctx", []() -> absl::StatusOr<int> { return 7; });
  EXPECT_THAT(ok, IsOk());
  absl::StatusOr<int> bad =
      CallAndCatch("ctx", []() -> absl::StatusOr<int> { throw std::runtime_error("bad"); });
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInternal, "ctx: bad"));
}

TEST(StatusTest, AnnotateKeepsCode) {
  EXPECT_THAT(Annotate(absl::NotFoundError("x"), "loading"),
              StatusIs(absl::StatusCode::kNotFound, "loading: x"));
  EXPECT_THAT(Annotate(absl::OkStatus(), "loading"), IsOk());
}

}  // namespace
}  // namespace stlab
