// The verify step: is this evidence authentic? Parses the platform report, checks its
// signature and the certificate chain up to a pinned root, and returns the claims. It knows
// nothing of policy (see validate.h) and nothing of rounds or keys.
#pragma once

#include <vector>

#include "attestation/claims.h"
#include "attestation/evidence.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"

namespace fedtee::attestation {

struct VerifyOptions {
  // Time used for certificate and collateral validity. Pin it (FakeClock) to verify
  // recorded evidence.
  const Clock* clock = &SystemClock::Get();
  // Pinned root certificates (DER). sim: the simulated CA root (required). SNP: AMD ARKs
  // (when empty, the Milan/Genoa/Turin roots that ship with fedtee). TDX: the Intel SGX Root
  // CA (when empty, the one that ships with fedtee).
  std::vector<Bytes> trusted_roots_der;
  // Certificates supplied by the operator (DER), e.g. an SNP VCEK or an ASK/ARK bundle,
  // used when the evidence does not carry them.
  std::vector<Bytes> extra_certs_der;
  // TDX collateral JSON, used when the evidence does not carry it.
  Bytes collateral;
};

// Verifies `evidence` for its platform. On success returns the claims; on failure a
// non-OK Status whose reason() is one of attestation/errors.h (verify part).
// Thread-safe (no shared mutable state).
Result<Claims> Verify(const Evidence& evidence, const VerifyOptions& options);

}  // namespace fedtee::attestation
