// Application-level liveness: which peers have been heard from recently.
//
// The roles send small heartbeat messages (their content is the roles' business) and call
// Seen(peer_id) for every message from a peer; a loop calls Expired() now and then and
// handles each peer that has been silent for longer than `timeout`. A peer is reported by
// Expired() once and then forgotten until it is Seen again.
//
// Time comes from a millisecond source: the steady clock by default, or a base Clock (whose
// resolution is one second, so with it a silent peer is noticed between `timeout` and
// `timeout` + 1 s; FakeClock makes tests exact). ZMTP heartbeats (SocketOptions) detect dead
// TCP connections; this detects silent participants.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"

namespace fedtee::transport {

class PeerTracker {
 public:
  // Uses the monotonic steady clock (recommended for production: immune to wall-clock jumps).
  explicit PeerTracker(std::chrono::milliseconds timeout);
  // Uses `clock` (seconds resolution); `clock` must outlive the tracker.
  PeerTracker(const Clock& clock, std::chrono::milliseconds timeout);

  // Records that `peer_id` was heard from now (starts tracking it if new).
  void Seen(const std::string& peer_id);
  // Stops tracking `peer_id` (e.g. it left cleanly).
  void Forget(const std::string& peer_id);
  // Peers silent for longer than the timeout, sorted; they are no longer tracked afterwards.
  std::vector<std::string> Expired();
  // True if `peer_id` is tracked and was heard from within the timeout.
  bool Alive(const std::string& peer_id) const;
  // Tracked peers that are alive, sorted.
  std::vector<std::string> AlivePeers() const;

  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::function<int64_t()> now_ms_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> last_seen_ms_;  // guarded by mu_
};

}  // namespace fedtee::transport
