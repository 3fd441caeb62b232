// Reading samples in dataset tests.
#ifndef STLAB_TESTS_TESTING_DATASET_SAMPLES_H_
#define STLAB_TESTS_TESTING_DATASET_SAMPLES_H_

#include <cstdint>
#include <utility>

#include "core/dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace stlab::testing {

/// Sample `index` of `dataset`; a failure to read it fails the test (and gives an
/// empty sample, so that the test goes on to report what else differs).
inline Sample MustGet(const Dataset& dataset, int64_t index) {
  absl::StatusOr<Sample> sample = dataset.Get(index);
  EXPECT_THAT(sample, IsOk());
  return sample.ok() ? *std::move(sample) : Sample();
}

}  // namespace stlab::testing

#endif  // STLAB_TESTS_TESTING_DATASET_SAMPLES_H_
