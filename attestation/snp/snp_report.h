// SEV-SNP ATTESTATION_REPORT, bytes <-> structure (the "abi" layer). The layout is the
// AMD SEV-SNP Firmware ABI specification's table "ATTESTATION_REPORT Structure" (versions 2
// and 3); docs/attestation.md summarises it. This file checks structure only: size,
// version, signature algorithm and must-be-zero ranges. Signatures and certificates are
// snp_verify.cc's job, policy is snp_validate.cc's; neither is done here.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "attestation/claims.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::snp {

inline constexpr size_t kReportSize = 0x4A0;        // 1184 bytes
inline constexpr size_t kSignedSize = 0x2A0;        // the signature covers bytes [0, 0x2A0)
inline constexpr size_t kSignatureROffset = 0x2A0;  // r: 72 bytes, little-endian
inline constexpr size_t kSignatureSOffset = 0x2E8;  // s: 72 bytes, little-endian
inline constexpr size_t kSignatureComponentSize = 72;
inline constexpr uint32_t kSigAlgoEcdsaP384Sha384 = 1;

// GUEST POLICY bits (offset 0x08).
inline constexpr int kPolicyMigrateMaBit = 18;
inline constexpr int kPolicyDebugBit = 19;

// SIGNING_KEY (bits 4:2 of the word at 0x48).
inline constexpr uint32_t kSigningKeyVcek = 0;
inline constexpr uint32_t kSigningKeyVlek = 1;

// AMD product lines whose roots fedtee knows. The TCB_VERSION byte layout depends on it.
enum class SnpProduct { kMilan, kGenoa, kTurin };
std::string_view SnpProductName(SnpProduct p);  // "Milan", "Genoa", "Turin"

// Splits a 64-bit TCB_VERSION into its security patch levels. Milan and Genoa:
// byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode. Turin: 0 FMC, 1 boot loader, 2 TEE,
// 3 SNP, 7 microcode.
SnpTcb DecodeTcb(uint64_t tcb_version, SnpProduct product);
// Inverse of DecodeTcb (other bytes zero); used to build reports in tests.
uint64_t EncodeTcb(const SnpTcb& tcb, SnpProduct product);

// The report's fields, named as in the AMD specification. Byte fields have their exact sizes.
struct SnpReport {
  uint32_t version = 0;         // 0x000: 2 or 3
  uint32_t guest_svn = 0;       // 0x004
  uint64_t policy = 0;          // 0x008
  Bytes family_id;              // 0x010, 16
  Bytes image_id;               // 0x020, 16
  uint32_t vmpl = 0;            // 0x030
  uint32_t signature_algo = 0;  // 0x034: 1 = ECDSA P-384 with SHA-384
  uint64_t current_tcb = 0;     // 0x038
  uint64_t platform_info = 0;   // 0x040
  uint32_t signer_info = 0;     // 0x048: bit 0 AUTHOR_KEY_EN, 1 MASK_CHIP_KEY, 4:2 SIGNING_KEY
  Bytes report_data;            // 0x050, 64
  Bytes measurement;            // 0x090, 48
  Bytes host_data;              // 0x0C0, 32
  Bytes id_key_digest;          // 0x0E0, 48
  Bytes author_key_digest;      // 0x110, 48
  Bytes report_id;              // 0x140, 32
  Bytes report_id_ma;           // 0x160, 32
  uint64_t reported_tcb = 0;    // 0x180
  // 0x188..0x18A, version 3 only: CPUID family, model and stepping of the chip.
  std::optional<uint8_t> cpuid_family, cpuid_model, cpuid_stepping;
  Bytes chip_id;                                                          // 0x1A0, 64
  uint64_t committed_tcb = 0;                                             // 0x1E0
  uint8_t current_build = 0, current_minor = 0, current_major = 0;        // 0x1E8..0x1EA
  uint8_t committed_build = 0, committed_minor = 0, committed_major = 0;  // 0x1EC..0x1EE
  uint64_t launch_tcb = 0;                                                // 0x1F0
  Bytes signature_r;  // 0x2A0, 72, little-endian
  Bytes signature_s;  // 0x2E8, 72, little-endian

  bool debug_allowed() const { return (policy >> kPolicyDebugBit) & 1; }
  bool migrate_ma_allowed() const { return (policy >> kPolicyMigrateMaBit) & 1; }
  bool mask_chip_key() const { return (signer_info >> 1) & 1; }
  uint32_t signing_key() const { return (signer_info >> 2) & 7; }
};

// Parses and structurally checks a report. Errors (Status reasons, attestation/errors.h):
//   CORRUPTION attestation.malformed_evidence   not exactly 1184 bytes
//   CORRUPTION attestation.unsupported_version  VERSION other than 2 or 3, or a signature
//                                               algorithm other than ECDSA P-384/SHA-384
//   CORRUPTION attestation.reserved_nonzero     a must-be-zero byte or bit is set (the
//                                               message gives its offset)
Result<SnpReport> ParseSnpReport(ByteSpan report);

}  // namespace fedtee::attestation::snp
