#include "core/did_you_mean.h"

#include "gtest/gtest.h"

namespace stlab {
namespace {

TEST(DidYouMeanTest, EditDistanceIsCaseInsensitiveLevenshtein) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ResNet", "resnet"), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(DidYouMeanTest, SuggestsClosePlausibleTypo) {
  EXPECT_EQ(ClosestMatch("horizontal_flp", {"vertical_flip", "horizontal_flip"}),
            "horizontal_flip");
  EXPECT_EQ(DidYouMeanSuffix("sed", {"seed", "name"}), " (did you mean 'seed'?)");
}

TEST(DidYouMeanTest, NoSuggestionWhenNothingIsClose) {
  EXPECT_EQ(ClosestMatch("zzzzzz", {"seed", "name"}), std::nullopt);
  EXPECT_EQ(DidYouMeanSuffix("x", {}), "");
}

}  // namespace
}  // namespace stlab
