#include "crypto/secret.h"

#include <openssl/crypto.h>

#include <cstring>

namespace fedtee::crypto {

SecretBytes::SecretBytes(size_t n) : data_(n ? new uint8_t[n]() : nullptr), size_(n) {}

SecretBytes::SecretBytes(ByteSpan bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
}

SecretBytes::~SecretBytes() { Clear(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

void SecretBytes::Clear() {
  if (data_ != nullptr && size_ > 0) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace fedtee::crypto
