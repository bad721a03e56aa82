// Placeholder until the TDX verifier lands (issue: real TEEs).
#include "attestation/platform_verifiers.h"

namespace fedtee::attestation {

Result<Claims> VerifyTdx(const Evidence&, const VerifyOptions&) {
  return Status::Unimplemented("attestation.unknown_backend", "TDX verification not built");
}

}  // namespace fedtee::attestation
