#include "crypto/signature.h"

#include <openssl/evp.h>

#include "crypto/openssl_util.h"

namespace fedtee::crypto {
namespace {

using internal::MdCtxPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;

Status BadKey(std::string msg) {
  return Status::InvalidArgument("signature.bad_key", std::move(msg));
}

Result<Bytes> RawPublic(EVP_PKEY* key) {
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) return BadKey("key is not an Ed25519 key");
  Bytes pub(kEd25519PublicKeySize);
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != pub.size()) {
    return internal::OpenSslFailure("signature.bad_key", "reading Ed25519 public key");
  }
  return pub;
}

}  // namespace

Result<SigningKey> SigningKey::FromPkey(EVP_PKEY* owned) {
  PkeyPtr key(owned);
  FEDTEE_ASSIGN_OR_RETURN(Bytes pub, RawPublic(key.get()));
  return SigningKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), std::move(pub));
}

Result<SigningKey> SigningKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return internal::OpenSslFailure("signature.keygen", "Ed25519 key generation");
  }
  return FromPkey(key);
}

Result<SigningKey> SigningKey::FromPrivatePem(std::string_view pem) {
  PkeyPtr key = internal::PkeyFromPem(pem, /*private_key=*/true);
  if (!key) return BadKey("not a PKCS#8 PEM private key");
  return FromPkey(key.release());
}

Result<SigningKey> SigningKey::FromPrivateBytes(ByteSpan seed32) {
  if (seed32.size() != 32) return BadKey("Ed25519 private key must be 32 bytes");
  EVP_PKEY* key =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed32.data(), seed32.size());
  if (key == nullptr) return internal::OpenSslFailure("signature.bad_key", "Ed25519 key");
  return FromPkey(key);
}

std::string SigningKey::PrivatePem() const {
  return internal::PkeyToPem(pkey_.get(), /*private_key=*/true);
}

std::string SigningKey::PublicPem() const {
  return internal::PkeyToPem(pkey_.get(), /*private_key=*/false);
}

Result<Bytes> SigningKey::Sign(ByteSpan msg) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  Bytes sig(kEd25519SignatureSize);
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) != 1 ||
      len != kEd25519SignatureSize) {
    return internal::OpenSslFailure("signature.sign", "Ed25519 sign");
  }
  return sig;
}

Status VerifySignature(ByteSpan public_key_raw, ByteSpan msg, ByteSpan sig) {
  if (public_key_raw.size() != kEd25519PublicKeySize) {
    return BadKey("Ed25519 public key must be 32 bytes, got " +
                  std::to_string(public_key_raw.size()));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_raw.data(),
                                          public_key_raw.size()));
  if (!key) {
    internal::DrainOpenSslErrors();
    return BadKey("not an Ed25519 public key");
  }
  if (sig.size() != kEd25519SignatureSize) {
    return Status::Unauthenticated("signature.invalid", "Ed25519 signature must be 64 bytes");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return internal::OpenSslFailure("signature.verify", "Ed25519 verify init");
  }
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) != 1) {
    internal::DrainOpenSslErrors();
    return Status::Unauthenticated("signature.invalid", "Ed25519 signature does not verify");
  }
  return Status::Ok();
}

Result<Bytes> Ed25519PublicFromPem(std::string_view pem) {
  PkeyPtr key = internal::PkeyFromPem(pem, /*private_key=*/false);
  if (!key) return BadKey("not a SubjectPublicKeyInfo PEM public key");
  return RawPublic(key.get());
}

}  // namespace fedtee::crypto
