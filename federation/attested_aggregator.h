// Checking an aggregator's AttestResponse against a relying party's own policy and own
// fresh challenge: verify (authentic?) then validate (acceptable?), plus the binding of the
// three aggregator keys into REPORT_DATA. Used by the coordinator and by every participant.
#pragma once

#include <string>

#include "attestation/claims.h"
#include "attestation/policy.h"
#include "attestation/validate.h"
#include "attestation/verify.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "proto/federation.pb.h"

namespace fedtee::federation {

// What a relying party learns from an accepted AttestResponse.
struct AttestedAggregator {
  Bytes hpke_public_key;        // 32 bytes: seal updates to this
  std::string curve_public_key; // Z85: the data-plane server key
  Bytes receipt_public_key;     // 32 bytes: receipts must verify under this
  std::string data_endpoint;
  attestation::Claims claims;
  std::string measurement_hex;
  std::string platform;
};

// Verifies and validates `response`, which must answer `challenge`.
// `expected_curve_key`, when non-empty, must equal the key in the response (the CURVE key
// the relying party pinned when it connected). Errors: the verify reasons of
// attestation/errors.h (evidence not authentic), PERMISSION_DENIED "policy.rejected" listing
// every violation, PERMISSION_DENIED "attest.curve_key_mismatch".
Result<AttestedAggregator> CheckAttestResponse(const v1::AttestResponse& response,
                                               ByteSpan challenge,
                                               const attestation::Policy& policy,
                                               const attestation::VerifyOptions& verify_options,
                                               const std::string& expected_curve_key,
                                               const Clock& clock);

// The 32 raw bytes of a Z85 CURVE public key: what BindReportData binds as the CURVE
// server key (aggregator and relying parties must both use this). INVALID_ARGUMENT
// "curve.bad_key" for anything but 40 valid Z85 characters.
Result<Bytes> CurveKeyBytes(const std::string& z85);

// REPORT_DATA for an aggregator's three keys and a challenge (attestation/binding.h).
Result<attestation::ReportData> AggregatorReportData(ByteSpan hpke_public_key,
                                                     const std::string& curve_public_key_z85,
                                                     ByteSpan receipt_public_key,
                                                     ByteSpan challenge);

// Loads the policy's trusted root certificates into VerifyOptions::trusted_roots_der.
Result<attestation::VerifyOptions> VerifyOptionsForPolicy(const attestation::Policy& policy);

}  // namespace fedtee::federation
