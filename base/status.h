// Errors as values. A Status is OK or carries a named kind (StatusCode), a stable
// machine-readable reason (for example "hpke.chunk_out_of_order"; tests and CLIs match on
// it) and a human message. Result<T> holds a T or a non-OK Status.
//
// Thread-safety: Status and Result are values; distinct objects may be used from distinct
// threads freely, a single object needs external synchronisation for writes.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fedtee {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed something malformed (bad flag, bad hex, bad config)
  kNotFound,            // a file, key or entry does not exist
  kCorruption,          // bytes that should have a structure do not (parse failure, bad tag)
  kUnauthenticated,     // a signature, MAC or certificate chain did not verify
  kPermissionDenied,    // authentic, but policy forbids it (attestation policy, ZAP)
  kFailedPrecondition,  // the system is not in a state where this can run
  kOutOfRange,          // a value is outside what is allowed (sizes, counts, versions)
  kUnavailable,         // a peer or resource is not reachable now; may succeed later
  kDeadlineExceeded,    // a time limit passed
  kIOError,             // the operating system reported a failure
  kInternal,            // a bug or a library failure that should not happen
  kUnimplemented,       // not supported by this build or backend
};

// Returns the upper-case name of the code, e.g. "CORRUPTION".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string reason, std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(reason), std::move(msg)};
  }
  static Status NotFound(std::string reason, std::string msg) {
    return {StatusCode::kNotFound, std::move(reason), std::move(msg)};
  }
  static Status Corruption(std::string reason, std::string msg) {
    return {StatusCode::kCorruption, std::move(reason), std::move(msg)};
  }
  static Status Unauthenticated(std::string reason, std::string msg) {
    return {StatusCode::kUnauthenticated, std::move(reason), std::move(msg)};
  }
  static Status PermissionDenied(std::string reason, std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(reason), std::move(msg)};
  }
  static Status FailedPrecondition(std::string reason, std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(reason), std::move(msg)};
  }
  static Status OutOfRange(std::string reason, std::string msg) {
    return {StatusCode::kOutOfRange, std::move(reason), std::move(msg)};
  }
  static Status Unavailable(std::string reason, std::string msg) {
    return {StatusCode::kUnavailable, std::move(reason), std::move(msg)};
  }
  static Status DeadlineExceeded(std::string reason, std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(reason), std::move(msg)};
  }
  static Status IOError(std::string reason, std::string msg) {
    return {StatusCode::kIOError, std::move(reason), std::move(msg)};
  }
  static Status Internal(std::string reason, std::string msg) {
    return {StatusCode::kInternal, std::move(reason), std::move(msg)};
  }
  static Status Unimplemented(std::string reason, std::string msg) {
    return {StatusCode::kUnimplemented, std::move(reason), std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Stable dotted name of what went wrong ("" when OK). Match on this, not on message().
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with context ("loading policy: ...").
  // The code and reason are kept. No-op on OK.
  Status Wrap(std::string_view context) const;

  // "CORRUPTION hpke.chunk_out_of_order: chunk 3 arrived, expected 2", or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string reason_;
  std::string message_;
};

// Holds either a value or a non-OK Status. Accessing value() of an error aborts in debug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace fedtee

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define FEDTEE_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::fedtee::Status _fedtee_s = (expr);        \
    if (!_fedtee_s.ok()) return _fedtee_s;      \
  } while (0)

#define FEDTEE_CONCAT_INNER(a, b) a##b
#define FEDTEE_CONCAT(a, b) FEDTEE_CONCAT_INNER(a, b)
// Declares `lhs` from the value of Result `rexpr`, or returns its Status.
#define FEDTEE_ASSIGN_OR_RETURN(lhs, rexpr) \
  FEDTEE_ASSIGN_OR_RETURN_IMPL(FEDTEE_CONCAT(_fedtee_r, __LINE__), lhs, rexpr)
#define FEDTEE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
