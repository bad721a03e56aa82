#include "transport/peer_tracker.h"

#include <gtest/gtest.h>

#include <thread>

namespace fedtee::transport {
namespace {

using std::chrono::milliseconds;
using Ids = std::vector<std::string>;

TEST(PeerTrackerTest, SilentPeerExpiresOnceAfterTimeout) {
  FakeClock clock(1000);
  PeerTracker tracker(clock, milliseconds(5000));
  tracker.Seen("a");
  tracker.Seen("b");
  EXPECT_TRUE(tracker.Alive("a"));
  EXPECT_FALSE(tracker.Alive("stranger"));

  clock.Advance(3);
  tracker.Seen("b");  // b keeps talking, a goes silent
  clock.Advance(2);   // a silent for exactly the timeout: still alive
  EXPECT_TRUE(tracker.Expired().empty());
  EXPECT_TRUE(tracker.Alive("a"));

  clock.Advance(1);  // a silent for 6 s > 5 s
  EXPECT_FALSE(tracker.Alive("a"));
  EXPECT_EQ(tracker.AlivePeers(), Ids{"b"});
  EXPECT_EQ(tracker.Expired(), Ids{"a"});
  EXPECT_TRUE(tracker.Expired().empty());  // reported once
  EXPECT_FALSE(tracker.Alive("a"));

  clock.Advance(10);
  EXPECT_EQ(tracker.Expired(), Ids{"b"});
  tracker.Seen("a");  // back again
  EXPECT_TRUE(tracker.Alive("a"));
  tracker.Forget("a");
  EXPECT_FALSE(tracker.Alive("a"));
  clock.Advance(100);
  EXPECT_TRUE(tracker.Expired().empty());
}

TEST(PeerTrackerTest, SteadyClockTracker) {
  PeerTracker tracker(milliseconds(30));
  tracker.Seen("p");
  EXPECT_TRUE(tracker.Alive("p"));
  std::this_thread::sleep_for(milliseconds(60));
  EXPECT_EQ(tracker.Expired(), Ids{"p"});
}

}  // namespace
}  // namespace fedtee::transport
