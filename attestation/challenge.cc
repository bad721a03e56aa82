#include "attestation/challenge.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "attestation/errors.h"

namespace fedtee::attestation {

ChallengeBook::ChallengeBook(const Clock& clock, ChallengeBookOptions options)
    : clock_(clock), options_(options) {}

Bytes ChallengeBook::Issue() {
  Bytes challenge(options_.challenge_size);
  if (RAND_bytes(challenge.data(), static_cast<int>(challenge.size())) != 1) {
    std::fputs("fedtee: RAND_bytes failed; refusing to continue without randomness\n", stderr);
    std::abort();
  }
  const int64_t now = clock_.NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  PruneLocked(now);
  while (options_.max_outstanding > 0 && by_value_.size() >= options_.max_outstanding) {
    by_value_.erase(by_age_.begin()->second);
    by_age_.erase(by_age_.begin());
  }
  const uint64_t seq = next_seq_++;
  std::string key = ToString(challenge);
  by_value_[key] = Entry{now, seq};
  by_age_[seq] = std::move(key);
  return challenge;
}

Status ChallengeBook::Consume(ByteSpan challenge) {
  const int64_t now = clock_.NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_value_.find(ToString(challenge));
  if (it == by_value_.end()) {
    return Status::PermissionDenied(
        errors::kChallengeReplayed,
        "challenge " + HexEncode(challenge.first(std::min<size_t>(challenge.size(), 8))) +
            "... was not issued here, was already used, or expired long ago");
  }
  const Entry entry = it->second;
  by_age_.erase(entry.seq);
  by_value_.erase(it);
  const int64_t age = now - entry.issued_at;
  if (age > options_.lifetime_seconds) {
    return Status::PermissionDenied(
        errors::kEvidenceStale, "challenge issued " + std::to_string(age) +
                                    " s ago; the limit is " +
                                    std::to_string(options_.lifetime_seconds) + " s");
  }
  return Status::Ok();
}

size_t ChallengeBook::outstanding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_value_.size();
}

void ChallengeBook::PruneLocked(int64_t now) {
  // Keep stale challenges for one more lifetime so their use is reported as stale rather
  // than unknown; forget them after that.
  while (!by_age_.empty()) {
    auto oldest = by_value_.find(by_age_.begin()->second);
    if (now - oldest->second.issued_at <= 2 * options_.lifetime_seconds) break;
    by_value_.erase(oldest);
    by_age_.erase(by_age_.begin());
  }
}

}  // namespace fedtee::attestation
