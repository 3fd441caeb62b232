#include "core/engine/lr_schedule.h"

#include <cmath>
#include <numbers>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab {
namespace {

using ::stlab::testing::IsOk;

TEST(LrScheduleTest, WarmupRampsLinearlyToTheDecayedRate) {
  LrScheduleOptions o;
  o.base_lr = 0.1;
  o.total_iterations = 100;
  o.warmup_iterations = 10;
  o.warmup_factor = 0.01;
  o.decay = LrDecay::kConstant;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 0), 0.001);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 5), 0.1 * (0.01 * 0.5 + 0.5));
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 10), 0.1);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 99), 0.1);
}

TEST(LrScheduleTest, CosineGoesFromBaseToFinal) {
  LrScheduleOptions o;
  o.base_lr = 1.0;
  o.total_iterations = 100;
  o.final_factor = 0.1;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 0), 1.0);
  EXPECT_NEAR(LearningRateAt(o, 50), 0.1 + 0.9 * 0.5, 1e-12);
  EXPECT_NEAR(LearningRateAt(o, 99), 0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.99)),
              1e-12);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 1000), LearningRateAt(o, 99));  // Holds past the end.
}

TEST(LrScheduleTest, StepMultipliesByGammaAtEachStep) {
  LrScheduleOptions o;
  o.base_lr = 1.0;
  o.total_iterations = 100;
  o.decay = LrDecay::kStep;
  o.steps = {60, 80};
  o.gamma = 0.1;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 59), 1.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 60), 0.1);
  EXPECT_NEAR(LearningRateAt(o, 80), 0.01, 1e-15);
}

TEST(LrScheduleTest, ValidationNamesTheProblem) {
  LrScheduleOptions o;
  o.total_iterations = 100;
  EXPECT_THAT(ValidateLrSchedule(o), IsOk());
  o.steps = {80, 60};
  EXPECT_NE(ValidateLrSchedule(o).message().find("ascending"), std::string::npos);
  o.steps = {};
  o.warmup_iterations = 200;
  EXPECT_NE(ValidateLrSchedule(o).message().find("warmup_iterations"), std::string::npos);
  EXPECT_FALSE(ParseLrDecay("linear").ok());
  EXPECT_EQ(*ParseLrDecay("step"), LrDecay::kStep);
}

}  // namespace
}  // namespace stlab
