#include "attestation/challenge.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "attestation/errors.h"

namespace fedtee::attestation {
namespace {

TEST(ChallengeBookTest, IssuedOnceAccepted) {
  FakeClock clock(1000);
  ChallengeBook book(clock);
  Bytes c = book.Issue();
  EXPECT_EQ(c.size(), 32u);
  EXPECT_EQ(book.outstanding(), 1u);
  EXPECT_TRUE(book.Consume(c).ok());
  EXPECT_EQ(book.outstanding(), 0u);
}

TEST(ChallengeBookTest, Refusals) {
  struct Case {
    std::string name;
    int64_t advance;  // seconds between Issue and Consume
    bool consume_twice;
    bool forge;       // consume a challenge this book never issued
    std::string want;
  } cases[] = {
      {"fresh", 10, false, false, ""},
      {"exactly at lifetime", 60, false, false, ""},
      {"replayed", 1, true, false, errors::kChallengeReplayed},
      {"never issued", 0, false, true, errors::kChallengeReplayed},
      {"stale", 61, false, false, errors::kEvidenceStale},
  };
  for (const Case& c : cases) {
    FakeClock clock(5000);
    ChallengeBook book(clock, {.lifetime_seconds = 60});
    Bytes challenge = book.Issue();
    if (c.forge) challenge[0] ^= 0xff;
    clock.Advance(c.advance);
    Status s = book.Consume(challenge);
    if (c.consume_twice) {
      ASSERT_TRUE(s.ok()) << c.name;
      s = book.Consume(challenge);
    }
    EXPECT_EQ(s.reason(), c.want) << c.name << ": " << s.ToString();
    if (!c.want.empty()) {
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << c.name;
    }
  }
}

TEST(ChallengeBookTest, StaleChallengeIsUsedUp) {
  FakeClock clock(0);
  ChallengeBook book(clock, {.lifetime_seconds = 5});
  Bytes c = book.Issue();
  clock.Advance(6);
  EXPECT_EQ(book.Consume(c).reason(), errors::kEvidenceStale);
  EXPECT_EQ(book.Consume(c).reason(), errors::kChallengeReplayed);
}

TEST(ChallengeBookTest, MemoryIsBounded) {
  FakeClock clock(0);
  ChallengeBook book(clock, {.lifetime_seconds = 10, .max_outstanding = 4});
  Bytes first = book.Issue();
  for (int i = 0; i < 10; ++i) book.Issue();
  EXPECT_EQ(book.outstanding(), 4u);
  EXPECT_EQ(book.Consume(first).reason(), errors::kChallengeReplayed);  // forgotten
  // Long-expired challenges are forgotten at the next Issue.
  clock.Advance(100);
  book.Issue();
  EXPECT_EQ(book.outstanding(), 1u);
}

TEST(ChallengeBookTest, ConcurrentIssueAndConsume) {
  FakeClock clock(0);
  ChallengeBook book(clock);
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Bytes c = book.Issue();
        if (book.Consume(c).ok()) ++accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 1600);
  EXPECT_EQ(book.outstanding(), 0u);
}

}  // namespace
}  // namespace fedtee::attestation
