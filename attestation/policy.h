// An attestation policy: what a relying party (participant or coordinator operator) accepts.
// Written by the operator as a TOML file (docs/attestation.md gives the format); every field
// has a safe default, so an empty section accepts nothing it should not.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attestation/claims.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation {

struct SimPolicy {
  // Minimum simulated platform SVN.
  uint32_t min_tcb_svn = 0;
};

struct SnpPolicy {
  // Minimum REPORTED_TCB, component by component.
  SnpTcb min_tcb;
  // Refuse guests whose policy allows a migration agent (policy bit 18).
  bool forbid_migration_agent = true;
  // Accepted VMPLs; empty means only VMPL 0.
  std::vector<uint32_t> allowed_vmpl;
};

struct TdxPolicy {
  // Accepted RTMR values per register (hex-decoded, 48 bytes each); an empty list for a
  // register means "any value".
  std::array<std::vector<Bytes>, 4> allowed_rtmr;
  // Accepted TCB statuses from the collateral; default: only "UpToDate".
  std::vector<std::string> allowed_tcb_status = {"UpToDate"};
};

struct Policy {
  // Platforms accepted. Default: none, so a policy must name one.
  std::vector<Platform> platforms;
  // Accepted measurements (48 bytes each: sim SHA-384 of the aggregator executable, SNP
  // MEASUREMENT, TDX MRTD). Empty means nothing is accepted.
  std::vector<Bytes> allowed_measurements;
  // Refuse evidence whose debug flag is set (SNP policy bit 19, TDX attribute bit 0).
  bool forbid_debug = true;
  // Maximum age of evidence that states its issue time (sim), in seconds; 0 = no bound.
  int64_t max_evidence_age_seconds = 300;
  // Tolerated clock skew for evidence stamped in the future, in seconds.
  int64_t max_clock_skew_seconds = 30;
  // Trusted root certificates (PEM files), resolved relative to the policy file. For sim:
  // the simulated CA root; for SNP: AMD ARKs (defaults to the pinned Milan/Genoa/Turin roots);
  // for TDX: the Intel SGX Root CA.
  std::vector<std::filesystem::path> trusted_roots;
  SimPolicy sim;
  SnpPolicy snp;
  TdxPolicy tdx;
};

// Loads a policy from TOML text; `base_dir` resolves relative certificate paths.
// INVALID_ARGUMENT "policy.invalid_file" naming the offending key on any error (unknown
// keys are errors too, so a typo never silently weakens a policy).
Result<Policy> ParsePolicyToml(std::string_view toml, const std::filesystem::path& base_dir);
Result<Policy> LoadPolicyFile(const std::filesystem::path& path);

// Reads every certificate (PEM or DER, one or more per file) from policy.trusted_roots and
// returns them as DER, ready for VerifyOptions::trusted_roots_der. NOT_FOUND
// "file.not_found" for a missing file, CORRUPTION "attestation.malformed_certificate" for
// one that holds no certificate.
Result<std::vector<Bytes>> LoadTrustedRoots(const Policy& policy);

}  // namespace fedtee::attestation
