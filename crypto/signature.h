// Ed25519 signatures (RFC 8032, pure Ed25519) for the aggregator's receipts: a SigningKey
// made inside the enclave signs; anyone holding the 32-byte public key verifies.
//
// Thread-safety: a SigningKey is immutable after creation; copies share one OpenSSL key and
// all const methods (including Sign) may be called from several threads at once. The free
// functions are thread-safe.
//
// Error reasons: signature.invalid (UNAUTHENTICATED), signature.bad_key (INVALID_ARGUMENT),
// signature.keygen / signature.sign (INTERNAL, an OpenSSL failure).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace fedtee::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

class SigningKey {
 public:
  // A fresh key from OpenSSL's DRBG. INTERNAL "signature.keygen" on library failure.
  static Result<SigningKey> Generate();
  // From a PKCS#8 "PRIVATE KEY" PEM holding an Ed25519 key. INVALID_ARGUMENT
  // "signature.bad_key" for anything else.
  static Result<SigningKey> FromPrivatePem(std::string_view pem);
  // From the 32-byte RFC 8032 private key (seed). INVALID_ARGUMENT "signature.bad_key" if
  // not 32 bytes. The caller keeps (and should wipe) its copy.
  static Result<SigningKey> FromPrivateBytes(ByteSpan seed32);

  // PKCS#8 PEM of the private key; the caller owns the string and should wipe it.
  std::string PrivatePem() const;
  // The 32-byte raw public key.
  const Bytes& public_key() const { return public_key_; }
  // SubjectPublicKeyInfo PEM ("PUBLIC KEY").
  std::string PublicPem() const;
  // The 64-byte Ed25519 signature of `msg` (deterministic). INTERNAL "signature.sign" only
  // on a library failure.
  Result<Bytes> Sign(ByteSpan msg) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> pkey, Bytes public_key)
      : pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}
  static Result<SigningKey> FromPkey(EVP_PKEY* owned);

  std::shared_ptr<EVP_PKEY> pkey_;
  Bytes public_key_;
};

// OK if `sig` is a valid Ed25519 signature of `msg` under `public_key_raw` (32 bytes).
// UNAUTHENTICATED "signature.invalid" otherwise (including a signature of the wrong length);
// INVALID_ARGUMENT "signature.bad_key" if the public key is not 32 bytes or not a point.
Status VerifySignature(ByteSpan public_key_raw, ByteSpan msg, ByteSpan sig);

// The raw 32-byte public key in a SubjectPublicKeyInfo PEM holding an Ed25519 key.
// INVALID_ARGUMENT "signature.bad_key" for a bad PEM or another key type.
Result<Bytes> Ed25519PublicFromPem(std::string_view pem);

}  // namespace fedtee::crypto
