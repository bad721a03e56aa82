#include "attestation/verify.h"

#include "attestation/platform_verifiers.h"

namespace fedtee::attestation {

Result<Claims> Verify(const Evidence& evidence, const VerifyOptions& options) {
  switch (evidence.platform) {
    case Platform::kSim: return VerifySim(evidence, options);
    case Platform::kSevSnp: return VerifySnp(evidence, options);
    case Platform::kTdx: return VerifyTdx(evidence, options);
  }
  return Status::InvalidArgument("attestation.unknown_backend", "unknown platform");
}

}  // namespace fedtee::attestation
