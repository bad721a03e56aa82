// Per-platform verify entry points, composed by Verify() in verify.cc. Internal to
// attestation/; callers use verify.h.
#pragma once

#include "attestation/verify.h"

namespace fedtee::attestation {

Result<Claims> VerifySim(const Evidence& evidence, const VerifyOptions& options);
Result<Claims> VerifySnp(const Evidence& evidence, const VerifyOptions& options);
Result<Claims> VerifyTdx(const Evidence& evidence, const VerifyOptions& options);

}  // namespace fedtee::attestation
