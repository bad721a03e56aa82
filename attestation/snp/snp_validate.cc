// Placeholder until the SEV-SNP policy checks land (real-TEE work).
#include "attestation/platform_validators.h"

namespace fedtee::attestation {

std::vector<Violation> ValidateSnpClaims(const SnpClaims&, const SnpPolicy&) { return {}; }

}  // namespace fedtee::attestation
