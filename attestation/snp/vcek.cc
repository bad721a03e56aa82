#include "attestation/snp/vcek.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <memory>

#include "attestation/errors.h"

namespace fedtee::attestation::snp {
namespace {

Status Malformed(const std::string& what) {
  return Status::Corruption(errors::kMalformedCertificate, "VCEK: " + what);
}

// The DER contents of the extension with `oid`, or nullopt.
std::optional<Bytes> ExtensionValue(const X509* cert, const char* oid) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> obj(OBJ_txt2obj(oid, 1),
                                                                ASN1_OBJECT_free);
  if (!obj) return std::nullopt;
  int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
  if (idx < 0) return std::nullopt;
  X509_EXTENSION* ext = X509_get_ext(cert, idx);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

Result<uint8_t> SplExtension(const X509* cert, const char* oid, const char* name) {
  auto value = ExtensionValue(cert, oid);
  if (!value) return Malformed(std::string("no ") + name + " extension (" + oid + ")");
  const unsigned char* p = value->data();
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> n(
      d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(value->size())), ASN1_INTEGER_free);
  int64_t v = 0;
  if (!n || p != value->data() + value->size() || ASN1_INTEGER_get_int64(&v, n.get()) != 1 ||
      v < 0 || v > 255) {
    return Malformed(std::string(name) + " is not an INTEGER in 0..255");
  }
  return static_cast<uint8_t>(v);
}

std::string CommonName(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  const unsigned char* p = ASN1_STRING_get0_data(s);
  return std::string(p, p + ASN1_STRING_length(s));
}

}  // namespace

std::optional<SnpProduct> ProductFromName(std::string_view name) {
  auto has = [name](std::string_view s) { return name.find(s) != std::string_view::npos; };
  if (has("Milan")) return SnpProduct::kMilan;
  if (has("Genoa") || has("Siena")) return SnpProduct::kGenoa;
  if (has("Turin")) return SnpProduct::kTurin;
  return std::nullopt;
}

bool IsVcekShaped(const X509* cert) { return ExtensionValue(cert, kOidBlSpl).has_value(); }

Result<VcekInfo> ReadVcekInfo(const X509* vcek) {
  VcekInfo info;
  if (auto raw = ExtensionValue(vcek, kOidProductName)) {
    const unsigned char* p = raw->data();
    std::unique_ptr<ASN1_IA5STRING, decltype(&ASN1_IA5STRING_free)> s(
        d2i_ASN1_IA5STRING(nullptr, &p, static_cast<long>(raw->size())), ASN1_IA5STRING_free);
    if (s) {
      const unsigned char* d = ASN1_STRING_get0_data(s.get());
      info.product_name.assign(d, d + ASN1_STRING_length(s.get()));
    } else {
      info.product_name.assign(raw->begin(), raw->end());
    }
    info.product = ProductFromName(info.product_name);
  }
  if (!info.product) info.product = ProductFromName(CommonName(X509_get_issuer_name(vcek)));
  if (!info.product) return Malformed("cannot tell the product line (no productName, issuer CN)");

  FEDTEE_ASSIGN_OR_RETURN(info.tcb.bootloader, SplExtension(vcek, kOidBlSpl, "blSPL"));
  FEDTEE_ASSIGN_OR_RETURN(info.tcb.tee, SplExtension(vcek, kOidTeeSpl, "teeSPL"));
  FEDTEE_ASSIGN_OR_RETURN(info.tcb.snp, SplExtension(vcek, kOidSnpSpl, "snpSPL"));
  FEDTEE_ASSIGN_OR_RETURN(info.tcb.microcode, SplExtension(vcek, kOidUcodeSpl, "ucodeSPL"));
  if (*info.product == SnpProduct::kTurin) {
    FEDTEE_ASSIGN_OR_RETURN(info.tcb.fmc, SplExtension(vcek, kOidFmcSpl, "fmcSPL"));
  }

  auto hw = ExtensionValue(vcek, kOidHwId);
  if (!hw) return Malformed("no hwID extension (1.3.6.1.4.1.3704.1.4)");
  const size_t want = *info.product == SnpProduct::kTurin ? 8 : 64;
  if (hw->size() == want) {
    info.hw_id = std::move(*hw);  // AMD's KDS writes the id bare
  } else if (hw->size() == want + 2 && (*hw)[0] == V_ASN1_OCTET_STRING && (*hw)[1] == want) {
    info.hw_id.assign(hw->begin() + 2, hw->end());
  } else {
    return Malformed("hwID is " + std::to_string(hw->size()) + " bytes, expected " +
                     std::to_string(want));
  }
  return info;
}

}  // namespace fedtee::attestation::snp
