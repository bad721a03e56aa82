// Internal to attestation/: X.509 certificates, CRLs and EC keys over OpenSSL 3, for the
// verifiers (sim, SEV-SNP, TDX) and for the simulated CA. This is the only attestation
// header that exposes OpenSSL types; public headers must not include it.
//
// Ownership: every OpenSSL object is held by a std::shared_ptr with the matching *_free
// deleter (CertPtr, CrlPtr, KeyPtr); functions taking a raw pointer borrow it for the call.
// Errors: values only (Status / Result), with reasons from attestation/errors.h:
//   attestation.malformed_certificate  CORRUPTION        bytes that are not a certificate/CRL
//   attestation.cert_expired           UNAUTHENTICATED   a certificate's notAfter has passed
//   attestation.cert_not_yet_valid     UNAUTHENTICATED   a certificate's notBefore is ahead
//   attestation.untrusted_root         UNAUTHENTICATED   the chain ends at no pinned root
//   attestation.chain_broken           UNAUTHENTICATED   a link in the chain does not verify
//   attestation.cert_revoked           UNAUTHENTICATED   listed on a CRL
//   attestation.collateral_invalid     UNAUTHENTICATED   a CRL whose signature fails
//   attestation.collateral_expired     UNAUTHENTICATED   a CRL outside its validity window
//   attestation.bad_signature          UNAUTHENTICATED   a data signature does not verify
// Thread-safety: all functions are thread-safe; a shared object must not be mutated while
// another thread uses it (nothing here mutates a certificate after building it).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::x509 {

using CertPtr = std::shared_ptr<X509>;
using CrlPtr = std::shared_ptr<X509_CRL>;
using KeyPtr = std::shared_ptr<EVP_PKEY>;

// Takes ownership of a raw OpenSSL object (nullptr stays empty).
CertPtr AdoptCert(X509* cert);
CrlPtr AdoptCrl(X509_CRL* crl);
KeyPtr AdoptKey(EVP_PKEY* key);

// ---- Certificates ----------------------------------------------------------------------

// Parses one or more certificates: a PEM bundle (any number of "BEGIN CERTIFICATE" blocks,
// text between them ignored) or one or more concatenated DER certificates. Returns them in
// input order. CORRUPTION attestation.malformed_certificate when the input is empty, holds
// no certificate, or has trailing bytes that are not a certificate.
Result<std::vector<CertPtr>> ParseCertificates(ByteSpan pem_or_der);
// Exactly one certificate (PEM or DER); more or fewer is malformed_certificate.
Result<CertPtr> ParseCertificate(ByteSpan pem_or_der);
// Reads a file and parses it as ParseCertificates does. NOT_FOUND "file.not_found" when
// absent.
Result<std::vector<CertPtr>> LoadCertificates(const std::filesystem::path& path);

// DER and PEM encodings of `cert` (empty on an encoding failure, which means a bug).
Bytes CertToDer(const X509* cert);
std::string CertToPem(const X509* cert);

// The subject / issuer distinguished name on one line ("CN=..., O=...") for messages.
std::string SubjectName(const X509* cert);
std::string IssuerName(const X509* cert);
// The subject's commonName, "" when absent.
std::string SubjectCommonName(const X509* cert);
// notBefore / notAfter as Unix seconds.
Result<int64_t> NotBefore(const X509* cert);
Result<int64_t> NotAfter(const X509* cert);

// The certificate's public key. CORRUPTION malformed_certificate when it has none usable.
Result<KeyPtr> PublicKey(const X509* cert);

// ECDSA-Sig-Value DER from big-endian r and s (the raw form SEV-SNP and TDX carry).
// INTERNAL "attestation.internal" only when OpenSSL cannot allocate.
Result<Bytes> EcdsaSignatureToDer(ByteSpan r_big_endian, ByteSpan s_big_endian);

// ---- CRLs ------------------------------------------------------------------------------

// One or more CRLs, PEM or DER, as ParseCertificates. CORRUPTION malformed_certificate.
Result<std::vector<CrlPtr>> ParseCrls(ByteSpan pem_or_der);

// ---- Chain verification ----------------------------------------------------------------

// Verifies that `leaf` chains, through any of `intermediates` (order irrelevant, extras
// ignored), to one of the self-signed `roots`, with every certificate valid at
// `at_unix_time` (X509_V_FLAG_USE_CHECK_TIME; partial chains are NOT accepted: the chain
// must end at one of `roots`, which must be self-signed).
// When `crls` is non-empty, each certificate whose issuer has a CRL among them is checked
// against it (CRL signature and validity window included); certificates whose issuer has no
// CRL given are not revocation-checked.
// Returns OK, or one of the errors in the file comment with a message naming the subject
// of the certificate at fault. An empty `roots` is untrusted_root.
Status VerifyChain(const CertPtr& leaf, const std::vector<CertPtr>& intermediates,
                   const std::vector<CertPtr>& roots, int64_t at_unix_time,
                   const std::vector<CrlPtr>& crls = {});

// ---- Keys and signatures -----------------------------------------------------------------

// A fresh ECDSA P-384 key pair. INTERNAL on a library failure.
Result<KeyPtr> GenerateEcP384Key();
// PKCS#8 PEM of a private key (unencrypted: callers store it 0600) and its parser.
// The returned string holds a secret: OPENSSL_cleanse it when done.
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);
// CORRUPTION "attestation.malformed_key" on bytes that are not a private key.
Result<KeyPtr> ParsePrivateKeyPem(ByteSpan pem);
// SubjectPublicKeyInfo DER of a key's public half.
Bytes PublicKeyToDer(EVP_PKEY* key);

// Signs `data` with `key` over `md` (EVP_sha384() for P-384); for EC keys the signature is
// a DER ECDSA-Sig-Value. INTERNAL on a library failure.
Result<Bytes> Sign(EVP_PKEY* key, const EVP_MD* md, ByteSpan data);
// Verifies a signature made by Sign. UNAUTHENTICATED attestation.bad_signature otherwise
// (including a signature that is not even DER).
Status VerifySignature(EVP_PKEY* key, const EVP_MD* md, ByteSpan data, ByteSpan signature);

// ---- Building certificates (simulated CA, tests) -----------------------------------------

struct CertSpec {
  // Subject distinguished name parts; `common_name` is required.
  std::string common_name;
  std::string organization = "fedtee";
  // Validity window, Unix seconds, given explicitly so tests can build expired and
  // not-yet-valid certificates.
  int64_t not_before = 0;
  int64_t not_after = 0;
  // CA certificates get basicConstraints CA:TRUE (critical) and keyCertSign|cRLSign;
  // others CA:FALSE and digitalSignature.
  bool is_ca = false;
  // Serial number; 0 picks a random positive 63-bit serial.
  uint64_t serial = 0;
};

// A self-signed certificate for `key` (signed with SHA-384). INVALID_ARGUMENT
// "attestation.bad_cert_spec" on an empty common name or not_after < not_before.
Result<CertPtr> MakeSelfSignedCert(EVP_PKEY* key, const CertSpec& spec);
// A certificate for `subject_key`'s public half, issued and signed (SHA-384) by
// `issuer_key`, whose certificate is `issuer` (its subject becomes the issuer name and
// its key identifier the authority key identifier).
Result<CertPtr> IssueCert(EVP_PKEY* subject_key, const CertSpec& spec, const X509* issuer,
                          EVP_PKEY* issuer_key);

// A CRL issued and signed (SHA-384) by `issuer_key` / `issuer`, listing `revoked_serials`,
// valid from `this_update` to `next_update` (Unix seconds). For tests and the simulated CA.
Result<CrlPtr> MakeCrl(const X509* issuer, EVP_PKEY* issuer_key,
                       const std::vector<uint64_t>& revoked_serials, int64_t this_update,
                       int64_t next_update);
// The certificate's serial number when it fits in 64 bits.
Result<uint64_t> SerialNumber(const X509* cert);

}  // namespace fedtee::attestation::x509
