// A string that holds a secret (a Z85 CURVE secret key) and overwrites its bytes when it is
// destroyed, assigned over or moved from. It has no stream operator and no implicit
// conversion, so a secret is not logged by accident.
//
// This is transport's own small helper so that transport does not depend on crypto/; it
// wipes with explicit_bzero, which the compiler may not elide. Copies made by callers
// through view() are the callers' to wipe (see WipeString).
//
// Thread-safety: a value type; one object needs external synchronisation for writes.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace fedtee::transport {

// Overwrites every byte of `s` (up to its capacity) with zeros, then clears it.
void WipeString(std::string& s);

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(const SecretString& other) : value_(other.value_) {}
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {
    WipeString(other.value_);
  }
  SecretString& operator=(const SecretString& other) {
    if (this != &other) {
      WipeString(value_);
      value_ = other.value_;
    }
    return *this;
  }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      WipeString(value_);
      value_ = std::move(other.value_);
      WipeString(other.value_);
    }
    return *this;
  }
  ~SecretString() { WipeString(value_); }

  // The secret. The view is valid while this object lives and is not modified.
  std::string_view view() const { return value_; }
  // NUL-terminated, for C APIs (zmq_setsockopt, zmq_curve_public).
  const char* c_str() const { return value_.c_str(); }
  size_t size() const { return value_.size(); }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace fedtee::transport
