// X25519 key pairs for HPKE's DHKEM(X25519, HKDF-SHA256): generation, raw and PEM encodings,
// RFC 9180 §7.1.3 DeriveKeyPair, and the Diffie-Hellman step HPKE composes.
// Included by crypto/hpke.h; most callers use it through that header.
//
// Thread-safety: an X25519KeyPair is immutable after creation; copies share one OpenSSL key
// object, and all const methods may be called from several threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace fedtee::crypto {

inline constexpr size_t kX25519KeySize = 32;

class X25519KeyPair {
 public:
  // A fresh key pair from OpenSSL's DRBG. INTERNAL "hpke.keygen" on library failure.
  static Result<X25519KeyPair> Generate();
  // From the 32-byte raw private key (RFC 7748 scalar, clamped by X25519 itself).
  // INVALID_ARGUMENT "hpke.bad_key" if `sk32` is not 32 bytes. The caller keeps (and should
  // wipe) its copy of `sk32`.
  static Result<X25519KeyPair> FromPrivateBytes(ByteSpan sk32);
  // From a PKCS#8 "PRIVATE KEY" PEM holding an X25519 key. INVALID_ARGUMENT "hpke.bad_key"
  // for anything else (bad PEM, encrypted PEM, another key type).
  static Result<X25519KeyPair> FromPrivatePem(std::string_view pem);
  // RFC 9180 §7.1.3 DeriveKeyPair(ikm) for DHKEM(X25519, HKDF-SHA256): deterministic, used
  // for test vectors (ikmR / ikmE). `ikm` should hold at least 32 bytes of entropy.
  static Result<X25519KeyPair> Derive(ByteSpan ikm);

  // The 32-byte raw public key (pkXm in RFC 9180), as sent on the wire.
  const Bytes& public_key() const { return public_key_; }
  // PKCS#8 PEM of the private key. The caller owns the string and should wipe it when done
  // (it holds the secret). Returns "" only on allocation failure.
  std::string PrivatePem() const;
  // SubjectPublicKeyInfo PEM ("PUBLIC KEY") of the public key.
  std::string PublicPem() const;

  // X25519(sk, peer_public_key) into `out` (32 bytes). INVALID_ARGUMENT `bad_peer_reason` if
  // the peer key is not 32 bytes or the result is all zero (a low-order point, RFC 7748 §6.1).
  Status Dh(ByteSpan peer_public_key, std::span<uint8_t> out,
            const char* bad_peer_reason = "hpke.bad_key") const;

  // Borrowed OpenSSL key; valid while any copy of this key pair lives. Internal to crypto/.
  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  X25519KeyPair(std::shared_ptr<EVP_PKEY> pkey, Bytes public_key)
      : pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}
  static Result<X25519KeyPair> FromPkey(EVP_PKEY* owned);

  std::shared_ptr<EVP_PKEY> pkey_;
  Bytes public_key_;
};

// The raw 32-byte public key in a SubjectPublicKeyInfo PEM holding an X25519 key.
// INVALID_ARGUMENT "hpke.bad_key" for a bad PEM or another key type.
Result<Bytes> X25519PublicFromPem(std::string_view pem);

}  // namespace fedtee::crypto
