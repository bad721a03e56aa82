// SEV-SNP policy checks (the validate step for SnpClaims): minimum REPORTED_TCB component
// by component, the migration-agent policy bit, and the VMPL the report was requested at.
// Pure; never looks at signatures.
#include <algorithm>
#include <string>

#include "attestation/errors.h"
#include "attestation/platform_validators.h"

namespace fedtee::attestation {
namespace {

constexpr int kPolicyMigrateMaBit = 18;

void CheckComponent(const char* name, uint8_t have, uint8_t min, std::vector<Violation>& out) {
  if (have < min) {
    out.push_back({errors::kTcbTooLow,
                   std::string("SEV-SNP REPORTED_TCB ") + name + " SPL is " + std::to_string(have) +
                       ", the policy requires at least " + std::to_string(min)});
  }
}

}  // namespace

std::vector<Violation> ValidateSnpClaims(const SnpClaims& claims, const SnpPolicy& policy) {
  std::vector<Violation> out;
  const SnpTcb& have = claims.reported_tcb;
  const SnpTcb& min = policy.min_tcb;
  CheckComponent("boot loader", have.bootloader, min.bootloader, out);
  CheckComponent("TEE", have.tee, min.tee, out);
  CheckComponent("SNP firmware", have.snp, min.snp, out);
  CheckComponent("microcode", have.microcode, min.microcode, out);
  CheckComponent("FMC", have.fmc, min.fmc, out);

  if (policy.forbid_migration_agent && ((claims.guest_policy >> kPolicyMigrateMaBit) & 1)) {
    out.push_back(
        {errors::kMigrationAgentNotAllowed,
         "SEV-SNP guest policy allows a migration agent (bit 18); the policy forbids it"});
  }

  const std::vector<uint32_t> only_zero = {0};
  const auto& allowed = policy.allowed_vmpl.empty() ? only_zero : policy.allowed_vmpl;
  if (std::find(allowed.begin(), allowed.end(), claims.vmpl) == allowed.end()) {
    std::string list;
    for (uint32_t v : allowed) list += (list.empty() ? "" : ", ") + std::to_string(v);
    out.push_back({errors::kVmplNotAllowed, "SEV-SNP report requested at VMPL " +
                                                std::to_string(claims.vmpl) +
                                                "; the policy accepts VMPL " + list});
  }
  return out;
}

}  // namespace fedtee::attestation
