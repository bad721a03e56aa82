// SecretBytes: an owning buffer for key material (private keys, AEAD keys, HKDF secrets)
// that is wiped with OPENSSL_cleanse when it is destroyed or overwritten by a move.
//
// Ownership: a SecretBytes owns its heap buffer exclusively; it is move-only so a secret is
// never silently duplicated. A moved-from SecretBytes is empty (size() == 0).
// Thread-safety: like any value; const access from several threads is fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"

namespace fedtee::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // A zero-filled secret of `n` bytes, to be written through data() / mutable_span().
  explicit SecretBytes(size_t n);
  // Copies `bytes` in. The caller remains responsible for wiping its own copy.
  explicit SecretBytes(ByteSpan bytes);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  // Wipes this object's previous contents, then takes over `other`'s buffer.
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteSpan span() const { return {data_.get(), size_}; }
  std::span<uint8_t> mutable_span() { return {data_.get(), size_}; }

  // Wipes and releases the buffer; afterwards size() == 0.
  void Clear();

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace fedtee::crypto
