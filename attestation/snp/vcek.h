// What an AMD VCEK certificate says about the chip it was issued to: the product line and
// the security patch levels (SPLs) of the TCB it certifies, and the chip's hardware id.
// AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface Specification":
//   1.3.6.1.4.1.3704.1.2    productName  IA5String, e.g. "Milan-B0"
//   1.3.6.1.4.1.3704.1.3.1  blSPL        INTEGER
//   1.3.6.1.4.1.3704.1.3.2  teeSPL       INTEGER
//   1.3.6.1.4.1.3704.1.3.3  snpSPL       INTEGER
//   1.3.6.1.4.1.3704.1.3.8  ucodeSPL     INTEGER
//   1.3.6.1.4.1.3704.1.3.9  fmcSPL       INTEGER (Turin only)
//   1.3.6.1.4.1.3704.1.4    hwID         64 bytes (Turin: 8), raw or as an OCTET STRING
// Internal to attestation/ (exposes OpenSSL types).
//
// Thread-safety: pure functions; the certificate is only read.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>

#include "attestation/snp/snp_report.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::snp {

inline constexpr char kOidProductName[] = "1.3.6.1.4.1.3704.1.2";
inline constexpr char kOidBlSpl[] = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr char kOidTeeSpl[] = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr char kOidSnpSpl[] = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr char kOidUcodeSpl[] = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr char kOidFmcSpl[] = "1.3.6.1.4.1.3704.1.3.9";
inline constexpr char kOidHwId[] = "1.3.6.1.4.1.3704.1.4";

struct VcekInfo {
  std::string product_name;           // productName extension, "" when absent
  std::optional<SnpProduct> product;  // from productName, else from the issuer CN
  SnpTcb tcb;                         // the SPLs the certificate endorses
  Bytes hw_id;                        // 64 bytes (Turin: 8)
};

// Reads the extensions above. CORRUPTION attestation.malformed_certificate when an SPL or
// the hwID is missing or not of the documented type, or the product cannot be told.
Result<VcekInfo> ReadVcekInfo(const X509* vcek);

// True if `cert` looks like a VCEK (carries the blSPL extension).
bool IsVcekShaped(const X509* cert);

// "Milan-B0" -> Milan, "Genoa-..." and "Siena-..." -> Genoa, "Turin-..." -> Turin; also
// matches an ASK/ARK common name ("SEV-Milan", "ARK-Genoa").
std::optional<SnpProduct> ProductFromName(std::string_view name);

}  // namespace fedtee::attestation::snp
