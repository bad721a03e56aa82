#include "transport/peer_tracker.h"

namespace fedtee::transport {

PeerTracker::PeerTracker(std::chrono::milliseconds timeout)
    : now_ms_([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
      }),
      timeout_(timeout) {}

PeerTracker::PeerTracker(const Clock& clock, std::chrono::milliseconds timeout)
    : now_ms_([&clock] { return clock.NowUnix() * 1000; }), timeout_(timeout) {}

void PeerTracker::Seen(const std::string& peer_id) {
  const int64_t now = now_ms_();
  std::lock_guard<std::mutex> lock(mu_);
  last_seen_ms_[peer_id] = now;
}

void PeerTracker::Forget(const std::string& peer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  last_seen_ms_.erase(peer_id);
}

std::vector<std::string> PeerTracker::Expired() {
  const int64_t now = now_ms_();
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = last_seen_ms_.begin(); it != last_seen_ms_.end();) {
    if (now - it->second > timeout_.count()) {
      out.push_back(it->first);
      it = last_seen_ms_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

bool PeerTracker::Alive(const std::string& peer_id) const {
  const int64_t now = now_ms_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_seen_ms_.find(peer_id);
  return it != last_seen_ms_.end() && now - it->second <= timeout_.count();
}

std::vector<std::string> PeerTracker::AlivePeers() const {
  const int64_t now = now_ms_();
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, seen] : last_seen_ms_) {
    if (now - seen <= timeout_.count()) out.push_back(id);
  }
  return out;
}

}  // namespace fedtee::transport
