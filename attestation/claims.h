// What verified evidence says about the attested workload (the output of the verify step,
// the input of the validate step). Claims are only produced by a Verifier after the
// evidence's signatures and certificate chain checked out; they are plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation {

enum class Platform {
  kSim,     // software simulation: NO hardware protection
  kSevSnp,  // AMD SEV-SNP confidential VM
  kTdx,     // Intel TDX trust domain
};

// "sim", "sev-snp", "tdx".
std::string_view PlatformName(Platform p);
// Inverse of PlatformName; INVALID_ARGUMENT "attestation.unknown_backend" otherwise.
Result<Platform> ParsePlatform(std::string_view name);

inline constexpr size_t kReportDataSize = 64;
using ReportData = std::array<uint8_t, kReportDataSize>;

// Claims only the simulated backend makes.
struct SimClaims {
  int64_t issued_at = 0;   // Unix seconds at which the sim attester signed the report
  uint32_t tcb_svn = 0;    // security version number of the simulated platform
  std::string notice;      // always states that there is no hardware protection
  std::string platform_id; // subject CN of the platform certificate
};

// AMD SEV-SNP TCB_VERSION (one byte per component; Turin adds FMC).
struct SnpTcb {
  uint8_t bootloader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
  uint8_t fmc = 0;  // Turin only, 0 elsewhere
};

struct SnpClaims {
  uint32_t version = 0;       // report format version (2 or 3)
  uint64_t guest_policy = 0;  // POLICY field; bit 19 = debug allowed, bit 18 = migrate MA
  uint32_t vmpl = 0;
  uint32_t signature_algo = 0;
  SnpTcb current_tcb, reported_tcb, committed_tcb, launch_tcb;
  Bytes family_id;      // 16 bytes
  Bytes image_id;       // 16 bytes
  Bytes host_data;      // 32 bytes
  Bytes id_key_digest;  // 48 bytes
  Bytes author_key_digest;  // 48 bytes
  Bytes report_id;      // 32 bytes
  Bytes chip_id;        // 64 bytes (zero when masked)
  uint32_t platform_info = 0;
  std::string product;  // "Milan", "Genoa", "Turin" (from the chain that verified)
};

struct TdxClaims {
  uint16_t quote_version = 0;
  Bytes tee_tcb_svn;    // 16 bytes
  Bytes mrseam;         // 48 bytes
  Bytes mrtd;           // 48 bytes
  std::array<Bytes, 4> rtmr;  // 48 bytes each
  Bytes mrconfigid, mrowner, mrownerconfig;  // 48 bytes each
  uint64_t td_attributes = 0;  // bit 0 = DEBUG
  uint64_t xfam = 0;
  Bytes fmspc;               // 6 bytes, from the PCK certificate
  std::string tcb_status;    // "UpToDate", "SWHardeningNeeded", "OutOfDate", ...
  std::vector<std::string> advisory_ids;
};

struct Claims {
  Platform platform = Platform::kSim;
  bool hardware_backed = false;  // false for sim: no protection at all
  Bytes measurement;             // 48 bytes: sim SHA-384(executable), SNP MEASUREMENT, TDX MRTD
  ReportData report_data{};      // the 64 bytes the attester bound into the evidence
  bool debug = false;            // the workload can be inspected by the host
  std::optional<int64_t> issued_at;  // Unix seconds, when the platform states it (sim)
  std::optional<SimClaims> sim;
  std::optional<SnpClaims> snp;
  std::optional<TdxClaims> tdx;
};

}  // namespace fedtee::attestation
