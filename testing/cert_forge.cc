#include "testing/cert_forge.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace fedtee::fakes {
namespace {

Status Fail(const std::string& what) { return Status::Internal("fakes.openssl", what); }

// Signs an X509 or X509_CRL through an EVP_MD_CTX configured for `scheme`.
template <typename SignFn>
Status SignWith(EVP_PKEY* key, SigScheme scheme, SignFn sign) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = scheme == SigScheme::kEcdsaSha256 ? EVP_sha256() : EVP_sha384();
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
    return Fail("EVP_DigestSignInit");
  }
  if (scheme == SigScheme::kRsaPssSha384 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1)) {
    return Fail("RSA-PSS parameters");
  }
  if (sign(ctx.get()) <= 0) return Fail("signing");
  return Status::Ok();
}

X509_NAME* MakeName(const ForgeSpec& spec) {
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.organization.c_str()), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  return name;
}

Status AddExtension(X509* cert, const std::string& oid, ByteSpan value, bool critical) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> obj(OBJ_txt2obj(oid.c_str(), 1),
                                                                ASN1_OBJECT_free);
  std::unique_ptr<ASN1_OCTET_STRING, decltype(&ASN1_OCTET_STRING_free)> data(
      ASN1_OCTET_STRING_new(), ASN1_OCTET_STRING_free);
  if (!obj || !data || ASN1_OCTET_STRING_set(data.get(), value.data(), value.size()) != 1) {
    return Fail("extension " + oid);
  }
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical, data.get());
  int ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok ? Status::Ok() : Fail("X509_add_ext " + oid);
}

Status AddV3(X509* cert, const X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer ? issuer : cert), cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  int ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok ? Status::Ok() : Fail(std::string("extension ") + value);
}

}  // namespace

Result<KeyPtr> GenerateRsaKey(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (key == nullptr) return Fail("RSA keygen");
  return attestation::x509::AdoptKey(key);
}

Result<KeyPtr> GenerateEcKey(const char* curve) {
  EVP_PKEY* key = EVP_EC_gen(curve);
  if (key == nullptr) return Fail("EC keygen");
  return attestation::x509::AdoptKey(key);
}

Result<CertPtr> ForgeCert(EVP_PKEY* subject_key, const ForgeSpec& spec, const X509* issuer,
                          EVP_PKEY* issuer_key, SigScheme scheme) {
  CertPtr cert = attestation::x509::AdoptCert(X509_new());
  X509* c = cert.get();
  X509_set_version(c, X509_VERSION_3);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(c), spec.serial);
  X509_NAME* name = MakeName(spec);
  X509_set_subject_name(c, name);
  X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
  X509_NAME_free(name);
  ASN1_TIME_set(X509_getm_notBefore(c), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(c), static_cast<time_t>(spec.not_after));
  if (X509_set_pubkey(c, subject_key) != 1) return Fail("X509_set_pubkey");
  if (spec.is_ca) {
    FEDTEE_RETURN_IF_ERROR(AddV3(c, issuer, NID_basic_constraints, "critical,CA:TRUE"));
    FEDTEE_RETURN_IF_ERROR(AddV3(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign"));
  }
  FEDTEE_RETURN_IF_ERROR(AddV3(c, issuer, NID_subject_key_identifier, "hash"));
  if (issuer) FEDTEE_RETURN_IF_ERROR(AddV3(c, issuer, NID_authority_key_identifier, "keyid"));
  for (const auto& ext : spec.extensions) {
    FEDTEE_RETURN_IF_ERROR(AddExtension(c, ext.oid, ext.value, ext.critical));
  }
  FEDTEE_RETURN_IF_ERROR(
      SignWith(issuer_key, scheme, [c](EVP_MD_CTX* ctx) { return X509_sign_ctx(c, ctx); }));
  return cert;
}

Result<CrlPtr> ForgeCrl(const X509* issuer, EVP_PKEY* issuer_key, int64_t this_update,
                        int64_t next_update, const std::vector<uint64_t>& revoked_serials,
                        SigScheme scheme) {
  CrlPtr crl = attestation::x509::AdoptCrl(X509_CRL_new());
  X509_CRL* c = crl.get();
  X509_CRL_set_version(c, 1);
  X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> t1(ASN1_TIME_set(nullptr, this_update),
                                                           ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> t2(ASN1_TIME_set(nullptr, next_update),
                                                           ASN1_TIME_free);
  X509_CRL_set1_lastUpdate(c, t1.get());
  X509_CRL_set1_nextUpdate(c, t2.get());
  for (uint64_t serial : revoked_serials) {
    X509_REVOKED* r = X509_REVOKED_new();
    ASN1_INTEGER* s = ASN1_INTEGER_new();
    ASN1_INTEGER_set_uint64(s, serial);
    X509_REVOKED_set_serialNumber(r, s);
    X509_REVOKED_set_revocationDate(r, t1.get());
    ASN1_INTEGER_free(s);
    X509_CRL_add0_revoked(c, r);
  }
  X509_CRL_sort(c);
  FEDTEE_RETURN_IF_ERROR(
      SignWith(issuer_key, scheme, [c](EVP_MD_CTX* ctx) { return X509_CRL_sign_ctx(c, ctx); }));
  return crl;
}

Bytes CrlToDer(const X509_CRL* crl) {
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(const_cast<X509_CRL*>(crl), &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> RawEcdsaSign(EVP_PKEY* key, const EVP_MD* md, ByteSpan data, size_t component_size,
                           bool little_endian) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes der, attestation::x509::Sign(key, md, data));
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
  if (!sig) return Fail("d2i_ECDSA_SIG");
  Bytes out(2 * component_size, 0);
  const BIGNUM* parts[2] = {ECDSA_SIG_get0_r(sig.get()), ECDSA_SIG_get0_s(sig.get())};
  for (int i = 0; i < 2; ++i) {
    uint8_t* dst = out.data() + i * component_size;
    if (BN_bn2binpad(parts[i], dst, static_cast<int>(component_size)) < 0) return Fail("bn2bin");
    if (little_endian) std::reverse(dst, dst + component_size);
  }
  return out;
}

Bytes DerTlv(uint8_t tag, ByteSpan content) {
  Bytes out = {tag};
  size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    Bytes len;
    for (; n > 0; n >>= 8) len.insert(len.begin(), static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(0x80 | len.size()));
    Append(out, len);
  }
  Append(out, content);
  return out;
}

Bytes DerInteger(int64_t v) {
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> n(ASN1_INTEGER_new(),
                                                                ASN1_INTEGER_free);
  ASN1_INTEGER_set_int64(n.get(), v);
  unsigned char* der = nullptr;
  int len = i2d_ASN1_INTEGER(n.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes DerOctetString(ByteSpan b) { return DerTlv(0x04, b); }
Bytes DerIa5String(std::string_view s) { return DerTlv(0x16, AsBytes(s)); }

Bytes DerOid(const char* dotted) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> obj(OBJ_txt2obj(dotted, 1),
                                                                ASN1_OBJECT_free);
  unsigned char* der = nullptr;
  int len = obj ? i2d_ASN1_OBJECT(obj.get(), &der) : 0;
  Bytes out(der, der + std::max(len, 0));
  OPENSSL_free(der);
  return out;
}

Bytes DerSequence(const std::vector<Bytes>& items) {
  Bytes content;
  for (const auto& i : items) Append(content, i);
  return DerTlv(0x30, content);
}

}  // namespace fedtee::fakes
