// Time behind an interface so that certificate validity, evidence age and round deadlines
// can be tested with a fixed clock. SystemClock is thread-safe; FakeClock is not.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace fedtee {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch (UTC).
  virtual int64_t NowUnix() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnix() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // A process-wide instance.
  static const SystemClock& Get();
};

// A clock that stands still until told to move. For tests and for verifying recorded
// evidence at a pinned time (`--at`).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds) : now_(unix_seconds) {}
  int64_t NowUnix() const override { return now_; }
  void Set(int64_t unix_seconds) { now_ = unix_seconds; }
  void Advance(int64_t seconds) { now_ += seconds; }

 private:
  int64_t now_;
};

// Parses an RFC 3339 UTC time such as "2025-06-20T12:00:00Z" (a numeric offset such as
// "+02:00" is accepted and applied). INVALID_ARGUMENT "time.invalid" otherwise.
Result<int64_t> ParseRfc3339(const std::string& text);
// Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace fedtee
