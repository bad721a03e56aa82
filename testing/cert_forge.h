// Forging certificates, CRLs and signatures for tests: what a vendor CA does, with keys we
// make ourselves. Supports what the SEV-SNP and TDX fakes need and x509.h's builders do
// not: RSASSA-PSS signatures, arbitrary (vendor) extensions, CRLs, raw r||s ECDSA
// signatures. NEVER for production: keys are unprotected and validity is what tests ask.
// Thread-safety: pure functions; returned objects are independent.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/x509.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::fakes {

using attestation::x509::CertPtr;
using attestation::x509::CrlPtr;
using attestation::x509::KeyPtr;

// INTERNAL "fakes.openssl" on a library failure.
Result<KeyPtr> GenerateRsaKey(int bits);
Result<KeyPtr> GenerateEcKey(const char* curve);  // "P-256", "P-384"

enum class SigScheme { kRsaPssSha384, kEcdsaSha256, kEcdsaSha384 };

struct RawExtension {
  std::string oid;  // dotted
  Bytes value;      // DER placed in the extension's OCTET STRING
  bool critical = false;
};

struct ForgeSpec {
  std::string common_name;
  std::string organization = "fedtee fake vendor";
  int64_t not_before = 0;
  int64_t not_after = 0;
  bool is_ca = false;
  uint64_t serial = 1;
  std::vector<RawExtension> extensions;
};

// A certificate for `subject_key`, signed by `issuer_key` under `scheme`. With
// `issuer == nullptr` it is self-signed (issuer_key should then be subject_key).
Result<CertPtr> ForgeCert(EVP_PKEY* subject_key, const ForgeSpec& spec, const X509* issuer,
                          EVP_PKEY* issuer_key, SigScheme scheme);

// A CRL by `issuer` valid [this_update, next_update] revoking `revoked_serials`.
Result<CrlPtr> ForgeCrl(const X509* issuer, EVP_PKEY* issuer_key, int64_t this_update,
                        int64_t next_update, const std::vector<uint64_t>& revoked_serials,
                        SigScheme scheme);
Bytes CrlToDer(const X509_CRL* crl);

// An ECDSA signature of `data` (digest `md`) as fixed-size r and s of `component_size`
// bytes each, big-endian (TDX) or little-endian (AMD), concatenated r then s.
Result<Bytes> RawEcdsaSign(EVP_PKEY* key, const EVP_MD* md, ByteSpan data, size_t component_size,
                           bool little_endian);

// DER encoders for extension values.
Bytes DerTlv(uint8_t tag, ByteSpan content);
Bytes DerInteger(int64_t v);
Bytes DerOctetString(ByteSpan b);
Bytes DerIa5String(std::string_view s);
Bytes DerOid(const char* dotted);
Bytes DerSequence(const std::vector<Bytes>& items);

}  // namespace fedtee::fakes
