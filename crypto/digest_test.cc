// Tests for crypto/digest.h (FIPS 180-4 "abc" examples) and ConstantTimeEqual.
#include "crypto/digest.h"

#include <gtest/gtest.h>

namespace fedtee::crypto {
namespace {

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      HexEncode(Sha384(AsBytes("abc"))),
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca"
      "134c825a7");
  EXPECT_EQ(
      HexEncode(Sha512(AsBytes("abc"))),
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c2"
      "3a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Digest, IncrementalMatchesOneShot) {
  Hasher h(HashAlg::kSha256);
  h.Update(AsBytes("a"));
  h.Update(AsBytes("bc"));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes("abc")));
  EXPECT_EQ(DigestSize(HashAlg::kSha384), 48u);
}

TEST(Digest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("ab")));
  EXPECT_TRUE(ConstantTimeEqual({}, {}));
}

}  // namespace
}  // namespace fedtee::crypto
