// Internal to crypto/: small RAII owners for OpenSSL objects and the conversion of OpenSSL's
// error queue into a Status. Not for use outside crypto/.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fedtee::crypto::internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Drains OpenSSL's thread-local error queue and returns the first error as text ("" if none).
std::string DrainOpenSslErrors();

// INTERNAL status with `reason`, "`what`: <openssl error>"; drains the error queue.
Status OpenSslFailure(std::string reason, std::string_view what);

// Writes `pkey` as PEM: PKCS#8 "PRIVATE KEY" when `private_key`, else SubjectPublicKeyInfo
// "PUBLIC KEY". The private variant goes through a secure-heap BIO that is wiped on free.
// Returns "" on failure (only on allocation failure).
std::string PkeyToPem(EVP_PKEY* pkey, bool private_key);

// Parses a PEM private (PKCS#8) or public (SubjectPublicKeyInfo) key; nullptr on failure.
PkeyPtr PkeyFromPem(std::string_view pem, bool private_key);

}  // namespace fedtee::crypto::internal
