// Placeholder until the TDX policy checks land (real-TEE work).
#include "attestation/platform_validators.h"

namespace fedtee::attestation {

std::vector<Violation> ValidateTdxClaims(const TdxClaims&, const TdxPolicy&) { return {}; }

}  // namespace fedtee::attestation
