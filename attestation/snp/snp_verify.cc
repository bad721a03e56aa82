// Placeholder until the SEV-SNP verifier lands (issue: real TEEs).
#include "attestation/platform_verifiers.h"

namespace fedtee::attestation {

Result<Claims> VerifySnp(const Evidence&, const VerifyOptions&) {
  return Status::Unimplemented("attestation.unknown_backend", "SEV-SNP verification not built");
}

}  // namespace fedtee::attestation
