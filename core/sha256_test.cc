#include "core/sha256.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kAbcDigest[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Test, DigestOfKnownVector) { EXPECT_EQ(Sha256Hex("abc"), kAbcDigest); }

TEST(Sha256Test, FileDigestEqualsDigestOfItsBytes) {
  const auto path = stlab::testing::FreshTestDir() / "abc.bin";
  std::ofstream(path, std::ios::binary) << "abc";
  absl::StatusOr<std::string> digest = Sha256HexOfFile(path);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, kAbcDigest);
}

TEST(Sha256Test, MissingFileIsAnErrorNamingIt) {
  EXPECT_THAT(Sha256HexOfFile("/nonexistent/teacher.pt").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/teacher.pt")));
}

}  // namespace
}  // namespace stlab
