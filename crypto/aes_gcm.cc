#include "crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace fedtee::crypto::internal {
namespace {

// Fetched once: passing a legacy EVP_CIPHER* to EVP_CipherInit_ex makes OpenSSL 3 look the
// provider implementation up on every init.
const EVP_CIPHER* Cipher(size_t key_size) {
  static EVP_CIPHER* aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  static EVP_CIPHER* aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return key_size == 16 ? aes128 : key_size == 32 ? aes256 : nullptr;
}

// EVP update calls take an int length; feed larger inputs in pieces.
constexpr size_t kMaxUpdate = size_t{1} << 30;

}  // namespace

Result<AesGcm> AesGcm::Create(ByteSpan key, Direction direction) {
  const EVP_CIPHER* cipher = Cipher(key.size());
  if (cipher == nullptr) {
    return Status::Internal("hpke.aead", "AES-GCM key must be 16 or 32 bytes");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int enc = direction == Direction::kSeal ? 1 : 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, enc) != 1) {
    return OpenSslFailure("hpke.aead", "AES-GCM init");
  }
  return AesGcm(ctx.release());
}

AesGcm::AesGcm(AesGcm&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }
AesGcm& AesGcm::operator=(AesGcm&& other) noexcept {
  if (this != &other) {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = other.ctx_;
    other.ctx_ = nullptr;
  }
  return *this;
}
AesGcm::~AesGcm() { EVP_CIPHER_CTX_free(ctx_); }

Status AesGcm::Seal(const uint8_t nonce[kGcmNonceSize], ByteSpan aad, ByteSpan pt,
                    std::span<uint8_t> out) {
  if (out.size() != pt.size() + kGcmTagSize) {
    return Status::InvalidArgument("hpke.bad_length",
                                   "seal output must be plaintext size + 16 bytes");
  }
  if (aad.size() > INT_MAX) return Status::InvalidArgument("hpke.bad_length", "aad too long");
  int len = 0;
  // Only the IV changes; the expanded key stays in the context.
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, nonce) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx_, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)) {
    return OpenSslFailure("hpke.aead", "AES-GCM seal");
  }
  size_t done = 0;
  while (done < pt.size()) {
    size_t n = std::min(pt.size() - done, kMaxUpdate);
    if (EVP_EncryptUpdate(ctx_, out.data() + done, &len, pt.data() + done, static_cast<int>(n)) !=
        1) {
      return OpenSslFailure("hpke.aead", "AES-GCM seal");
    }
    done += n;
  }
  if (EVP_EncryptFinal_ex(ctx_, out.data() + done, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kGcmTagSize, out.data() + pt.size()) != 1) {
    return OpenSslFailure("hpke.aead", "AES-GCM seal");
  }
  return Status::Ok();
}

Status AesGcm::Open(const uint8_t nonce[kGcmNonceSize], ByteSpan aad, ByteSpan ct,
                    std::span<uint8_t> out) {
  if (ct.size() < kGcmTagSize) {
    return Status::Corruption("hpke.truncated", "ciphertext shorter than the 16-byte tag");
  }
  size_t pt_size = ct.size() - kGcmTagSize;
  if (out.size() != pt_size) {
    return Status::InvalidArgument("hpke.bad_length",
                                   "open output must be ciphertext size - 16 bytes");
  }
  if (aad.size() > INT_MAX) return Status::InvalidArgument("hpke.bad_length", "aad too long");
  int len = 0;
  // EVP takes a non-const tag pointer; it only reads it.
  void* tag = const_cast<uint8_t*>(ct.data() + pt_size);
  if (EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx_, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)) {
    return OpenSslFailure("hpke.aead", "AES-GCM open");
  }
  size_t done = 0;
  while (done < pt_size) {
    size_t n = std::min(pt_size - done, kMaxUpdate);
    if (EVP_DecryptUpdate(ctx_, out.data() + done, &len, ct.data() + done, static_cast<int>(n)) !=
        1) {
      return OpenSslFailure("hpke.aead", "AES-GCM open");
    }
    done += n;
  }
  // OpenSSL compares the tag in constant time (CRYPTO_memcmp) inside Final.
  if (EVP_DecryptFinal_ex(ctx_, out.data() + done, &len) != 1) {
    DrainOpenSslErrors();
    if (!out.empty()) OPENSSL_cleanse(out.data(), out.size());
    return Status::Unauthenticated("hpke.open_failed",
                                   "authentication failed (wrong key, info, aad, or tampered)");
  }
  return Status::Ok();
}

}  // namespace fedtee::crypto::internal
