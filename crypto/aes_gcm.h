// Internal to crypto/: AES-GCM (128 or 256) keyed once, for many messages. The OpenSSL
// cipher context and its expanded key are built once in Create(); each Seal/Open only sets a
// new 12-byte nonce, so the per-message cost is the AES-GCM work itself (no allocation, no
// re-keying). This is the hot path of HPKE contexts and chunk streams.
//
// Thread-safety: not thread-safe; one AesGcm per thread of use.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/status.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace fedtee::crypto::internal {

inline constexpr size_t kGcmNonceSize = 12;
inline constexpr size_t kGcmTagSize = 16;

class AesGcm {
 public:
  enum class Direction { kSeal, kOpen };
  // `key` is 16 or 32 bytes; it is copied into OpenSSL's context (wiped when it is freed).
  // INTERNAL "hpke.aead" on library failure.
  static Result<AesGcm> Create(ByteSpan key, Direction direction);

  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;
  ~AesGcm();

  // out = ciphertext || 16-byte tag; out.size() must be pt.size() + 16 (INVALID_ARGUMENT
  // "hpke.bad_length"). Only on a kSeal object.
  Status Seal(const uint8_t nonce[kGcmNonceSize], ByteSpan aad, ByteSpan pt,
              std::span<uint8_t> out);
  // out.size() must be ct.size() - 16. UNAUTHENTICATED "hpke.open_failed" on a tag
  // mismatch, in which case `out` is wiped. Only on a kOpen object.
  Status Open(const uint8_t nonce[kGcmNonceSize], ByteSpan aad, ByteSpan ct,
              std::span<uint8_t> out);

 private:
  explicit AesGcm(EVP_CIPHER_CTX* ctx) : ctx_(ctx) {}
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace fedtee::crypto::internal
