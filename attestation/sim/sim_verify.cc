// Placeholder until the sim verifier lands (step 4).
#include "attestation/platform_verifiers.h"

namespace fedtee::attestation {

Result<Claims> VerifySim(const Evidence&, const VerifyOptions&) {
  return Status::Unimplemented("attestation.unknown_backend", "sim verification not built yet");
}

}  // namespace fedtee::attestation
