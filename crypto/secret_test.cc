// Tests for crypto/secret.h and crypto/random.h.
#include "crypto/secret.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/random.h"

namespace fedtee::crypto {
namespace {

TEST(SecretBytes, HoldsACopy) {
  Bytes src = {1, 2, 3, 4};
  SecretBytes s(src);
  src[0] = 9;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.data()[0], 1);
  EXPECT_EQ(Bytes(s.span().begin(), s.span().end()), Bytes({1, 2, 3, 4}));
}

TEST(SecretBytes, SizedIsZeroFilled) {
  SecretBytes s(32);
  EXPECT_EQ(s.size(), 32u);
  for (uint8_t b : s.span()) EXPECT_EQ(b, 0);
  s.mutable_span()[0] = 7;
  EXPECT_EQ(s.data()[0], 7);
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a(Bytes{5, 6, 7});
  const uint8_t* buffer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.data(), buffer);  // ownership moved, no copy left behind
  SecretBytes c(Bytes{1});
  c = std::move(b);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
  c.Clear();
  EXPECT_TRUE(c.empty());
}

TEST(SecretBytes, EmptyIsFine) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.span().empty());
  SecretBytes z(ByteSpan{});
  EXPECT_TRUE(z.empty());
}

TEST(Random, ProducesRequestedSizesAndDiffers) {
  EXPECT_TRUE(RandomBytes(0).empty());
  std::set<Bytes> seen;
  for (int i = 0; i < 16; ++i) seen.insert(RandomBytes(32));
  EXPECT_EQ(seen.size(), 16u);
  Bytes buf(1000, 0);
  FillRandom(buf);
  int zeros = 0;
  for (uint8_t b : buf) zeros += b == 0;
  EXPECT_LT(zeros, 30);  // ~4 expected
}

}  // namespace
}  // namespace fedtee::crypto
