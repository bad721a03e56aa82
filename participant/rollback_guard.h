// Rollback detection: a participant remembers the highest committed round (and the log
// head after it) for which it has verified a receipt, and refuses a coordinator that later
// claims fewer committed rounds, or another head for that same round (a forked or rolled
// back log). The memory survives restarts in a small JSON state file, written atomically:
//
//   {"round": 7, "log_head": "<64 hex>", "federation_id": "..."}
//
// Errors:
//   PERMISSION_DENIED "coordinator.rollback"   claimed last committed round < highest seen
//   PERMISSION_DENIED "coordinator.fork"       same round, another log head
//   CORRUPTION "state.malformed"               the state file is not what Record writes
//   IO_ERROR "file.write" / "file.read"        from base/file.h
// Thread-safety: not thread-safe (one client loop owns it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/status.h"

namespace fedtee::participant {

class RollbackGuard {
 public:
  // Reads `state_file`; an absent file means nothing seen yet (round 0).
  static Result<RollbackGuard> Open(const std::filesystem::path& state_file);

  // Checks a coordinator's claim (JoinAck / RoundTask last_committed_round and log_head).
  // An empty `log_head` skips the head comparison.
  Status CheckClaim(uint64_t last_committed_round, const std::string& log_head) const;

  // Remembers a verified (round, head) if it is higher than what was seen, and persists it
  // before returning. A lower round is ignored (OK); the same round with another head is
  // "coordinator.fork".
  Status Record(uint64_t round, const std::string& log_head, const std::string& federation_id);

  uint64_t highest_round() const { return round_; }
  const std::string& highest_head() const { return head_; }

 private:
  explicit RollbackGuard(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  uint64_t round_ = 0;
  std::string head_;
  std::string federation_id_;
};

}  // namespace fedtee::participant
