// Fresh challenges (nonces) for attestation: a relying party issues one, the attester binds
// it into REPORT_DATA (binding.h), and the relying party consumes it when it validates the
// evidence, so a recorded piece of evidence cannot be replayed to it.
//
// Thread-safety: all methods are thread-safe (one internal mutex).
// Memory is bounded: at most `max_outstanding` challenges are remembered; issuing beyond
// that forgets the oldest, and challenges older than twice their lifetime are forgotten too.
// A forgotten challenge is refused like one never issued.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"

namespace fedtee::attestation {

struct ChallengeBookOptions {
  // Size of every issued challenge, in bytes.
  size_t challenge_size = 32;
  // A challenge consumed more than this many seconds after it was issued is refused as
  // stale (policy.evidence_stale).
  int64_t lifetime_seconds = 300;
  // Upper bound on remembered, not yet consumed challenges.
  size_t max_outstanding = 4096;
};

class ChallengeBook {
 public:
  // `clock` is borrowed and must outlive the book.
  explicit ChallengeBook(const Clock& clock, ChallengeBookOptions options = {});
  ChallengeBook(const ChallengeBook&) = delete;
  ChallengeBook& operator=(const ChallengeBook&) = delete;

  // Returns a fresh random challenge (OpenSSL RAND_bytes) and remembers it with the
  // clock's current time. Aborts if the random generator cannot produce output.
  Bytes Issue();

  // Accepts `challenge` once: OK when this book issued it, it was not consumed before and
  // it is at most lifetime_seconds old. Otherwise PERMISSION_DENIED with reason
  //   policy.challenge_replayed  never issued here, already consumed, or forgotten;
  //   policy.evidence_stale      issued too long ago (it is consumed all the same).
  Status Consume(ByteSpan challenge);

  // Challenges remembered and not yet consumed.
  size_t outstanding() const;

 private:
  struct Entry {
    int64_t issued_at;
    uint64_t seq;
  };
  void PruneLocked(int64_t now);

  const Clock& clock_;
  const ChallengeBookOptions options_;
  mutable std::mutex mu_;
  uint64_t next_seq_ = 0;                          // guarded by mu_
  std::unordered_map<std::string, Entry> by_value_;  // guarded by mu_
  std::map<uint64_t, std::string> by_age_;         // seq -> value, oldest first; mu_
};

}  // namespace fedtee::attestation
