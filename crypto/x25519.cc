#include "crypto/x25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/hpke_kdf.h"
#include "crypto/openssl_util.h"
#include "crypto/secret.h"

namespace fedtee::crypto {
namespace {

using internal::PkeyCtxPtr;
using internal::PkeyPtr;

// suite_id = "KEM" || I2OSP(kem_id = 0x0020, 2) (RFC 9180 §4.1).
constexpr uint8_t kKemSuiteId[] = {'K', 'E', 'M', 0x00, 0x20};

Status BadKey(std::string msg) { return Status::InvalidArgument("hpke.bad_key", std::move(msg)); }

}  // namespace

Result<X25519KeyPair> X25519KeyPair::FromPkey(EVP_PKEY* owned) {
  PkeyPtr key(owned);
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_X25519) {
    return BadKey("key is not an X25519 key");
  }
  Bytes pub(kX25519KeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != kX25519KeySize) {
    return internal::OpenSslFailure("hpke.bad_key", "reading X25519 public key");
  }
  return X25519KeyPair(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), std::move(pub));
}

Result<X25519KeyPair> X25519KeyPair::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return internal::OpenSslFailure("hpke.keygen", "X25519 key generation");
  }
  return FromPkey(key);
}

Result<X25519KeyPair> X25519KeyPair::FromPrivateBytes(ByteSpan sk32) {
  if (sk32.size() != kX25519KeySize) {
    return BadKey("X25519 private key must be 32 bytes, got " + std::to_string(sk32.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, sk32.data(), sk32.size());
  if (key == nullptr) return internal::OpenSslFailure("hpke.bad_key", "X25519 private key");
  return FromPkey(key);
}

Result<X25519KeyPair> X25519KeyPair::FromPrivatePem(std::string_view pem) {
  PkeyPtr key = internal::PkeyFromPem(pem, /*private_key=*/true);
  if (!key) return BadKey("not a PKCS#8 PEM private key");
  return FromPkey(key.release());
}

Result<X25519KeyPair> X25519KeyPair::Derive(ByteSpan ikm) {
  // dkp_prk = LabeledExtract("", "dkp_prk", ikm); sk = LabeledExpand(dkp_prk, "sk", "", Nsk)
  SecretBytes dkp_prk(internal::kHkdfSha256Size);
  FEDTEE_RETURN_IF_ERROR(
      internal::LabeledExtract(kKemSuiteId, {}, "dkp_prk", ikm, dkp_prk.mutable_span()));
  SecretBytes sk(kX25519KeySize);
  FEDTEE_RETURN_IF_ERROR(
      internal::LabeledExpand(kKemSuiteId, dkp_prk.span(), "sk", {}, sk.mutable_span()));
  return FromPrivateBytes(sk.span());
}

std::string X25519KeyPair::PrivatePem() const {
  return internal::PkeyToPem(pkey_.get(), /*private_key=*/true);
}

std::string X25519KeyPair::PublicPem() const {
  return internal::PkeyToPem(pkey_.get(), /*private_key=*/false);
}

Status X25519KeyPair::Dh(ByteSpan peer_public_key, std::span<uint8_t> out,
                         const char* bad_peer_reason) const {
  if (peer_public_key.size() != kX25519KeySize) {
    return Status::InvalidArgument(bad_peer_reason, "X25519 public key must be 32 bytes, got " +
                                                        std::to_string(peer_public_key.size()));
  }
  if (out.size() != kX25519KeySize) {
    return Status::Internal("hpke.bad_length", "X25519 output must be 32 bytes");
  }
  PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public_key.data(),
                                           peer_public_key.size()));
  if (!peer) return internal::OpenSslFailure(bad_peer_reason, "X25519 public key");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey_.get(), nullptr));
  size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != kX25519KeySize) {
    // OpenSSL refuses an all-zero shared secret (a low-order peer point) here.
    OPENSSL_cleanse(out.data(), out.size());
    internal::DrainOpenSslErrors();
    return Status::InvalidArgument(bad_peer_reason, "X25519 key agreement failed");
  }
  // Belt and braces: RFC 9180 §7.1.4 requires rejecting the all-zero output.
  static constexpr uint8_t kZero[kX25519KeySize] = {};
  if (CRYPTO_memcmp(out.data(), kZero, kX25519KeySize) == 0) {
    return Status::InvalidArgument(bad_peer_reason, "X25519 shared secret is all zero");
  }
  return Status::Ok();
}

Result<Bytes> X25519PublicFromPem(std::string_view pem) {
  PkeyPtr key = internal::PkeyFromPem(pem, /*private_key=*/false);
  if (!key) return BadKey("not a SubjectPublicKeyInfo PEM public key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_X25519) return BadKey("key is not an X25519 key");
  Bytes pub(kX25519KeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != kX25519KeySize) {
    return internal::OpenSslFailure("hpke.bad_key", "reading X25519 public key");
  }
  return pub;
}

}  // namespace fedtee::crypto
