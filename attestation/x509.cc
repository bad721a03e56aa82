#include "attestation/x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>
#include <string_view>

#include "attestation/errors.h"
#include "base/file.h"

namespace fedtee::attestation::x509 {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

// Drains OpenSSL's thread-local error queue into one line ("" when empty).
std::string DrainOpensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status Malformed(std::string what) {
  DrainOpensslErrors();
  return Status::Corruption(errors::kMalformedCertificate, std::move(what));
}

Status LibraryFailure(std::string_view what) {
  return Status::Internal("attestation.openssl", std::string(what) + ": " + DrainOpensslErrors());
}

BioPtr MemBio(ByteSpan data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), &BIO_free);
}

bool LooksLikePem(ByteSpan data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  return text.find("-----BEGIN ") != std::string_view::npos;
}

// True when the last error is the benign "no more PEM blocks" end of input.
bool AtPemEnd() {
  unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return "(no name)";
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : "(empty name)";
}

Result<int64_t> AsnTimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return Malformed("certificate has an unreadable validity time");
  }
  return static_cast<int64_t>(timegm(&tm));
}

// ---- chain error mapping ----

bool IssuerUnknown(int err) {
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return true;
    default:
      return false;
  }
}

// When no issuer was found for `cert`, tells a broken link (a certificate we were given
// has the issuer's name but did not sign `cert`) from a chain that simply ends at a root
// nobody pinned.
Status ExplainMissingIssuer(X509* cert, int err, const std::vector<CertPtr>& intermediates,
                            const std::vector<CertPtr>& roots) {
  const std::string subject = SubjectName(cert);
  const X509_NAME* issuer = X509_get_issuer_name(cert);
  bool self_signed = X509_NAME_cmp(issuer, X509_get_subject_name(cert)) == 0;
  if (!self_signed) {
    for (const auto* set : {&roots, &intermediates}) {
      for (const CertPtr& candidate : *set) {
        if (X509_NAME_cmp(issuer, X509_get_subject_name(candidate.get())) != 0) continue;
        EVP_PKEY* key = X509_get0_pubkey(candidate.get());
        if (key != nullptr && X509_verify(cert, key) == 1) continue;
        DrainOpensslErrors();
        return Status::Unauthenticated(
            errors::kChainBroken, "certificate '" + subject + "' names issuer '" +
                                      NameToString(issuer) +
                                      "' but is not signed by that certificate's key");
      }
    }
  }
  std::string msg = self_signed
                        ? "chain ends at self-signed '" + subject + "', which is not a pinned root"
                        : "certificate '" + subject + "' was issued by '" + NameToString(issuer) +
                              "', which does not chain to a pinned root";
  msg += " (" + std::to_string(roots.size()) + " trusted root(s)";
  for (const CertPtr& r : roots) msg += "; '" + SubjectName(r.get()) + "'";
  msg += std::string("; ") + X509_verify_cert_error_string(err) + ")";
  return Status::Unauthenticated(errors::kUntrustedRoot, msg);
}

Status MapChainError(X509_STORE_CTX* ctx, const std::vector<CertPtr>& intermediates,
                     const std::vector<CertPtr>& roots) {
  int err = X509_STORE_CTX_get_error(ctx);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  int depth = X509_STORE_CTX_get_error_depth(ctx);
  const std::string subject = cert != nullptr ? SubjectName(cert) : "(unknown certificate)";
  const std::string detail = "certificate '" + subject + "' (depth " + std::to_string(depth) +
                             "): " + X509_verify_cert_error_string(err);
  if (IssuerUnknown(err) && cert != nullptr) {
    return ExplainMissingIssuer(cert, err, intermediates, roots);
  }
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return Status::Unauthenticated(errors::kCertExpired, detail);
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Status::Unauthenticated(errors::kCertNotYetValid, detail);
    case X509_V_ERR_CERT_REVOKED:
      return Status::Unauthenticated(errors::kCertRevoked, detail);
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return Status::Unauthenticated(errors::kCollateralExpired, detail);
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
      return Status::Unauthenticated(errors::kCollateralInvalid, detail);
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
      return Status::Corruption(errors::kMalformedCertificate, detail);
    default:
      // Signature failures, CA/path-length/key-usage violations, AKID mismatches.
      return Status::Unauthenticated(errors::kChainBroken, detail);
  }
}

// Treats "no CRL for this issuer" as acceptable; everything else keeps its verdict.
int TolerateMissingCrl(int ok, X509_STORE_CTX* ctx) {
  if (!ok && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL) return 1;
  return ok;
}

// ---- certificate building ----

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return LibraryFailure(std::string("building extension ") + value);
  int rc = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (rc != 1) return LibraryFailure("adding an extension");
  return Status::Ok();
}

Status AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return LibraryFailure("setting the certificate name");
  }
  return Status::Ok();
}

// Builds and signs a certificate; `issuer` == nullptr means self-signed by `issuer_key`.
Result<CertPtr> BuildCert(EVP_PKEY* subject_key, const CertSpec& spec, const X509* issuer,
                          EVP_PKEY* issuer_key) {
  if (spec.common_name.empty() || spec.not_after < spec.not_before || subject_key == nullptr ||
      issuer_key == nullptr) {
    return Status::InvalidArgument("attestation.bad_cert_spec",
                                   "a certificate needs a common name, keys and "
                                   "not_before <= not_after");
  }
  CertPtr cert = AdoptCert(X509_new());
  if (!cert) return LibraryFailure("X509_new");
  X509* x = cert.get();
  uint64_t serial = spec.serial;
  if (serial == 0) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) {
      return LibraryFailure("RAND_bytes");
    }
    serial = (serial >> 1) | 1;  // positive, non-zero
  }
  if (X509_set_version(x, X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(spec.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(spec.not_after)) == nullptr ||
      X509_set_pubkey(x, subject_key) != 1) {
    return LibraryFailure("filling in the certificate");
  }
  X509_NAME* name = X509_get_subject_name(x);
  FEDTEE_RETURN_IF_ERROR(AddNameEntry(name, "O", spec.organization));
  FEDTEE_RETURN_IF_ERROR(AddNameEntry(name, "CN", spec.common_name));
  X509* issuer_cert = issuer != nullptr ? const_cast<X509*>(issuer) : x;
  if (X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)) != 1) {
    return LibraryFailure("setting the issuer name");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_cert, x, nullptr, nullptr, 0);
  FEDTEE_RETURN_IF_ERROR(AddExtension(x, &ctx, NID_basic_constraints,
                                      spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  FEDTEE_RETURN_IF_ERROR(AddExtension(
      x, &ctx, NID_key_usage,
      spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"));
  FEDTEE_RETURN_IF_ERROR(AddExtension(x, &ctx, NID_subject_key_identifier, "hash"));
  FEDTEE_RETURN_IF_ERROR(AddExtension(x, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(x, issuer_key, EVP_sha384()) <= 0) return LibraryFailure("X509_sign");
  return cert;
}

}  // namespace

CertPtr AdoptCert(X509* cert) { return CertPtr(cert, &X509_free); }
CrlPtr AdoptCrl(X509_CRL* crl) { return CrlPtr(crl, &X509_CRL_free); }
KeyPtr AdoptKey(EVP_PKEY* key) { return KeyPtr(key, &EVP_PKEY_free); }

Result<std::vector<CertPtr>> ParseCertificates(ByteSpan pem_or_der) {
  if (pem_or_der.empty()) return Malformed("no certificate: empty input");
  std::vector<CertPtr> out;
  if (LooksLikePem(pem_or_der)) {
    BioPtr bio = MemBio(pem_or_der);
    ERR_clear_error();
    while (true) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (cert == nullptr) {
        if (!AtPemEnd()) {
          return Malformed("PEM certificate " + std::to_string(out.size() + 1) +
                           " does not parse: " + DrainOpensslErrors());
        }
        ERR_clear_error();
        break;
      }
      out.push_back(AdoptCert(cert));
    }
  } else {
    const unsigned char* p = pem_or_der.data();
    const unsigned char* end = p + pem_or_der.size();
    while (p < end) {
      X509* cert = d2i_X509(nullptr, &p, static_cast<long>(end - p));
      if (cert == nullptr) {
        return Malformed("DER certificate " + std::to_string(out.size() + 1) +
                         " does not parse (at byte " +
                         std::to_string(p - pem_or_der.data()) + ")");
      }
      out.push_back(AdoptCert(cert));
    }
  }
  if (out.empty()) return Malformed("no certificate found in the input");
  return out;
}

Result<CertPtr> ParseCertificate(ByteSpan pem_or_der) {
  FEDTEE_ASSIGN_OR_RETURN(std::vector<CertPtr> certs, ParseCertificates(pem_or_der));
  if (certs.size() != 1) {
    return Malformed("expected exactly one certificate, found " + std::to_string(certs.size()));
  }
  return certs.front();
}

Result<std::vector<CertPtr>> LoadCertificates(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes data, ReadFile(path, size_t{16} << 20));
  auto certs = ParseCertificates(data);
  if (!certs.ok()) return certs.status().Wrap("reading " + path.string());
  return certs;
}

Bytes CertToDer(const X509* cert) {
  if (cert == nullptr) return {};
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

std::string CertToPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (cert == nullptr || PEM_write_bio_X509(bio.get(), const_cast<X509*>(cert)) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SubjectName(const X509* cert) {
  return cert ? NameToString(X509_get_subject_name(cert)) : "(none)";
}
std::string IssuerName(const X509* cert) {
  return cert ? NameToString(X509_get_issuer_name(cert)) : "(none)";
}

std::string SubjectCommonName(const X509* cert) {
  if (cert == nullptr) return {};
  const X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

Result<int64_t> NotBefore(const X509* cert) { return AsnTimeToUnix(X509_get0_notBefore(cert)); }
Result<int64_t> NotAfter(const X509* cert) { return AsnTimeToUnix(X509_get0_notAfter(cert)); }

Result<KeyPtr> PublicKey(const X509* cert) {
  EVP_PKEY* key = cert ? X509_get_pubkey(const_cast<X509*>(cert)) : nullptr;
  if (key == nullptr) {
    return Malformed("certificate '" + SubjectName(cert) + "' has no usable public key");
  }
  return AdoptKey(key);
}

Result<std::vector<CrlPtr>> ParseCrls(ByteSpan pem_or_der) {
  if (pem_or_der.empty()) return Malformed("no CRL: empty input");
  std::vector<CrlPtr> out;
  if (LooksLikePem(pem_or_der)) {
    BioPtr bio = MemBio(pem_or_der);
    ERR_clear_error();
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      out.push_back(AdoptCrl(crl));
    }
    if (!AtPemEnd()) return Malformed("a PEM CRL does not parse: " + DrainOpensslErrors());
    ERR_clear_error();
  } else {
    const unsigned char* p = pem_or_der.data();
    const unsigned char* end = p + pem_or_der.size();
    while (p < end) {
      X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(end - p));
      if (crl == nullptr) return Malformed("a DER CRL does not parse");
      out.push_back(AdoptCrl(crl));
    }
  }
  if (out.empty()) return Malformed("no CRL found in the input");
  return out;
}

Status VerifyChain(const CertPtr& leaf, const std::vector<CertPtr>& intermediates,
                   const std::vector<CertPtr>& roots, int64_t at_unix_time,
                   const std::vector<CrlPtr>& crls) {
  if (!leaf) return Status::NotFound(errors::kMissingCertificate, "no leaf certificate");
  if (roots.empty()) {
    return Status::Unauthenticated(errors::kUntrustedRoot,
                                   "no trusted root certificate was given to verify '" +
                                       SubjectName(leaf.get()) + "' against");
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                &X509_STORE_free);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
      sk_X509_new_null(), [](STACK_OF(X509)* s) { sk_X509_free(s); });
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  if (!store || !untrusted || !ctx) return LibraryFailure("allocating a certificate store");
  for (const CertPtr& root : roots) {
    if (!root || X509_STORE_add_cert(store.get(), root.get()) != 1) {
      return LibraryFailure("adding a trusted root");
    }
  }
  for (const CrlPtr& crl : crls) {
    if (!crl || X509_STORE_add_crl(store.get(), crl.get()) != 1) {
      return LibraryFailure("adding a CRL");
    }
  }
  for (const CertPtr& cert : intermediates) {
    // The stack borrows: `intermediates` outlives the verification.
    if (!cert || sk_X509_push(untrusted.get(), cert.get()) <= 0) {
      return LibraryFailure("adding an intermediate");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return LibraryFailure("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_unix_time));  // USE_CHECK_TIME
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (!crls.empty()) {
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    X509_STORE_CTX_set_verify_cb(ctx.get(), &TolerateMissingCrl);
  }
  ERR_clear_error();
  int rc = X509_verify_cert(ctx.get());
  if (rc == 1) return Status::Ok();
  Status s = MapChainError(ctx.get(), intermediates, roots);
  DrainOpensslErrors();
  return s;
}

Result<KeyPtr> GenerateEcP384Key() {
  EVP_PKEY* key = EVP_EC_gen("P-384");
  if (key == nullptr) return LibraryFailure("generating a P-384 key");
  return AdoptKey(key);
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()), &BIO_free);
  if (!bio || key == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return LibraryFailure("encoding a private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<KeyPtr> ParsePrivateKeyPem(ByteSpan pem) {
  BioPtr bio = MemBio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) {
    DrainOpensslErrors();
    return Status::Corruption("attestation.malformed_key", "not a PEM private key");
  }
  return AdoptKey(key);
}

Bytes PublicKeyToDer(EVP_PKEY* key) {
  int len = key ? i2d_PUBKEY(key, nullptr) : 0;
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(key, &p);
  return out;
}

Result<Bytes> Sign(EVP_PKEY* key, const EVP_MD* md, ByteSpan data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || key == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return LibraryFailure("signing");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    return LibraryFailure("signing");
  }
  sig.resize(len);
  return sig;
}

Status VerifySignature(EVP_PKEY* key, const EVP_MD* md, ByteSpan data, ByteSpan signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  if (!ctx || key == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    return LibraryFailure("preparing signature verification");
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                            data.size());
  DrainOpensslErrors();
  if (rc != 1) {
    return Status::Unauthenticated(errors::kBadSignature,
                                   signature.empty() ? "the signature is empty"
                                                     : "the signature does not verify");
  }
  return Status::Ok();
}

Result<CertPtr> MakeSelfSignedCert(EVP_PKEY* key, const CertSpec& spec) {
  return BuildCert(key, spec, nullptr, key);
}

Result<CertPtr> IssueCert(EVP_PKEY* subject_key, const CertSpec& spec, const X509* issuer,
                          EVP_PKEY* issuer_key) {
  if (issuer == nullptr) {
    return Status::InvalidArgument("attestation.bad_cert_spec", "no issuer certificate");
  }
  return BuildCert(subject_key, spec, issuer, issuer_key);
}

Result<CrlPtr> MakeCrl(const X509* issuer, EVP_PKEY* issuer_key,
                       const std::vector<uint64_t>& revoked_serials, int64_t this_update,
                       int64_t next_update) {
  if (issuer == nullptr || issuer_key == nullptr || next_update < this_update) {
    return Status::InvalidArgument("attestation.bad_cert_spec",
                                   "a CRL needs an issuer, its key and this <= next update");
  }
  CrlPtr crl = AdoptCrl(X509_CRL_new());
  if (!crl) return LibraryFailure("X509_CRL_new");
  using TimePtr = std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)>;
  TimePtr last(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)), &ASN1_TIME_free);
  TimePtr next(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)), &ASN1_TIME_free);
  if (!last || !next || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return LibraryFailure("filling in the CRL");
  }
  for (uint64_t serial : revoked_serials) {
    X509_REVOKED* entry = X509_REVOKED_new();
    ASN1_INTEGER* number = ASN1_INTEGER_new();
    bool ok = entry != nullptr && number != nullptr &&
              ASN1_INTEGER_set_uint64(number, serial) == 1 &&
              X509_REVOKED_set_serialNumber(entry, number) == 1 &&
              X509_REVOKED_set_revocationDate(entry, last.get()) == 1 &&
              X509_CRL_add0_revoked(crl.get(), entry) == 1;
    ASN1_INTEGER_free(number);
    if (!ok) {
      X509_REVOKED_free(entry);
      return LibraryFailure("adding a revoked serial");
    }
  }
  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), issuer_key, EVP_sha384()) <= 0) {
    return LibraryFailure("signing the CRL");
  }
  return crl;
}

Result<uint64_t> SerialNumber(const X509* cert) {
  uint64_t out = 0;
  if (cert == nullptr ||
      ASN1_INTEGER_get_uint64(&out, X509_get0_serialNumber(cert)) != 1) {
    DrainOpensslErrors();
    return Malformed("certificate serial number does not fit in 64 bits");
  }
  return out;
}

Result<Bytes> EcdsaSignatureToDer(ByteSpan r_big_endian, ByteSpan s_big_endian) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(r_big_endian.data(), static_cast<int>(r_big_endian.size()), nullptr);
  BIGNUM* s = BN_bin2bn(s_big_endian.data(), static_cast<int>(s_big_endian.size()), nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    ECDSA_SIG_free(sig);
    BN_free(r);
    BN_free(s);
    return Status::Internal("attestation.internal", "cannot build ECDSA_SIG");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return Status::Internal("attestation.internal", "cannot encode ECDSA_SIG");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace fedtee::attestation::x509
