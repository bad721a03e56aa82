// What an Intel PCK certificate says about the platform, from its SGX extensions
// (OID 1.2.840.113741.1.13.1, a SEQUENCE of {OID, value} pairs; Intel "SGX PCK Certificate
// and CRL Profile"):
//   .1  PPID      OCTET STRING (16)
//   .2  TCB       SEQUENCE of {.2.1 .. .2.16 INTEGER: CPUSVN components, .2.17 INTEGER:
//                 PCESVN, .2.18 OCTET STRING: CPUSVN}
//   .3  PCE-ID    OCTET STRING (2)
//   .4  FMSPC     OCTET STRING (6)
// Internal to attestation/ (exposes OpenSSL types). Thread-safety: reads only.
#pragma once

#include <openssl/x509.h>

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::tdx {

inline constexpr char kOidSgxExtensions[] = "1.2.840.113741.1.13.1";

struct PckInfo {
  Bytes ppid;                                    // 16
  std::array<uint8_t, 16> sgx_tcb_components{};  // .2.1 .. .2.16
  uint16_t pcesvn = 0;                           // .2.17
  Bytes cpusvn;                                  // .2.18, 16
  Bytes pce_id;                                  // 2
  Bytes fmspc;                                   // 6
};

// Reads the SGX extensions. CORRUPTION attestation.malformed_certificate when absent or
// not shaped as above (a missing component, a wrong length).
Result<PckInfo> ReadPckInfo(const X509* pck);

}  // namespace fedtee::attestation::tdx
