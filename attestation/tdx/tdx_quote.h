// Intel TDX DCAP quote, version 4: bytes <-> structure (the "abi" layer). Layout from Intel's
// "TDX DCAP Quote Generation Library and Quote Verification Library" specification (quote
// format v4, appendix A):
//   header            48 bytes   version, attestation key type (2 = ECDSA P-256), TEE type
//                                (0x81 = TDX), QE vendor id, user data
//   TD report body   584 bytes   TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM/TD attributes,
//                                XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0-3,
//                                REPORT_DATA
//   u32 signature-data length, then: ECDSA signature (r||s, 64) over header+body, the
//   attestation public key (x||y, 64), certification data of type 6 holding the QE report
//   (384-byte SGX report body), its signature (64), the QE authentication data (u16 length +
//   bytes), and nested certification data of type 5: the PCK certificate chain in PEM.
// Integers are little-endian. Structure only: no signature or certificate is checked here.
// Thread-safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::tdx {

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kTdReportSize = 584;
inline constexpr size_t kQeReportSize = 384;
inline constexpr uint16_t kAttestationKeyEcdsaP256 = 2;
inline constexpr uint32_t kTeeTypeTdx = 0x81;
inline constexpr uint16_t kCertDataQeReport = 6;
inline constexpr uint16_t kCertDataPckChain = 5;

struct TdReport {                // offsets within the 584-byte body
  Bytes tee_tcb_svn;             // 0, 16
  Bytes mrseam;                  // 16, 48
  Bytes mrsignerseam;            // 64, 48
  uint64_t seam_attributes = 0;  // 112
  uint64_t td_attributes = 0;    // 120: bit 0 = DEBUG
  uint64_t xfam = 0;             // 128
  Bytes mrtd;                    // 136, 48
  Bytes mrconfigid;              // 184, 48
  Bytes mrowner;                 // 232, 48
  Bytes mrownerconfig;           // 280, 48
  Bytes rtmr[4];                 // 328, 376, 424, 472; 48 each
  Bytes report_data;             // 520, 64
};

struct QeReport {           // SGX REPORT body of the quoting enclave, 384 bytes
  Bytes cpusvn;             // 0, 16
  uint32_t miscselect = 0;  // 16
  Bytes attributes;         // 48, 16
  Bytes mrenclave;          // 64, 32
  Bytes mrsigner;           // 128, 32
  uint16_t isvprodid = 0;   // 256
  uint16_t isvsvn = 0;      // 258
  Bytes report_data;        // 320, 64
};

struct TdxQuote {
  uint16_t version = 0;
  uint16_t attestation_key_type = 0;
  uint32_t tee_type = 0;
  Bytes qe_vendor_id;  // 16
  TdReport report;
  Bytes signed_bytes;     // header + body: what the attestation key signed
  Bytes signature;        // 64: r || s, big-endian
  Bytes attestation_key;  // 64: x || y, big-endian (P-256)
  Bytes qe_report_raw;    // 384: what the PCK key signed
  QeReport qe_report;
  Bytes qe_report_signature;  // 64: r || s
  Bytes qe_auth_data;
  std::string pck_chain_pem;  // leaf first
};

// Parses a version-4 TDX quote. Trailing zero bytes (the padding of a fixed-size quote
// buffer) are allowed. Errors:
//   CORRUPTION attestation.unsupported_version  not version 4, not ECDSA P-256, not TDX, or
//                                               certification data of another type
//   CORRUPTION attestation.malformed_evidence   truncated, lengths that do not add up,
//                                               non-zero trailing bytes
Result<TdxQuote> ParseTdxQuote(ByteSpan quote);

}  // namespace fedtee::attestation::tdx
