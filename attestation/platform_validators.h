// Per-platform policy checks, composed by Validate() in validate.cc. Internal to
// attestation/; callers use validate.h. Each returns every violation it finds (empty when the
// claims satisfy the policy); each Violation::kind is a policy.* name from errors.h.
// Pure functions, thread-safe.
#pragma once

#include <vector>

#include "attestation/claims.h"
#include "attestation/policy.h"
#include "attestation/validate.h"

namespace fedtee::attestation {

// SEV-SNP: minimum TCB, migration agent, VMPL (attestation/snp/snp_validate.cc).
std::vector<Violation> ValidateSnpClaims(const SnpClaims& claims, const SnpPolicy& policy);
// TDX: RTMRs, TCB status (attestation/tdx/tdx_validate.cc).
std::vector<Violation> ValidateTdxClaims(const TdxClaims& claims, const TdxPolicy& policy);

}  // namespace fedtee::attestation
