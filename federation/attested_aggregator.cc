#include "federation/attested_aggregator.h"

#include <zmq.h>

#include "attestation/binding.h"
#include "attestation/evidence.h"
#include "attestation/x509.h"
#include "base/file.h"

namespace fedtee::federation {

Result<Bytes> CurveKeyBytes(const std::string& z85) {
  Bytes raw(32);
  if (z85.size() != 40 || zmq_z85_decode(raw.data(), z85.c_str()) == nullptr) {
    return Status::InvalidArgument("curve.bad_key",
                                   "not a 40-character Z85 CURVE public key");
  }
  return raw;
}

Result<attestation::ReportData> AggregatorReportData(ByteSpan hpke_public_key,
                                                     const std::string& curve_public_key_z85,
                                                     ByteSpan receipt_public_key,
                                                     ByteSpan challenge) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes curve, CurveKeyBytes(curve_public_key_z85));
  return attestation::BindReportData(hpke_public_key, curve, receipt_public_key, challenge);
}

Result<attestation::VerifyOptions> VerifyOptionsForPolicy(const attestation::Policy& policy) {
  attestation::VerifyOptions options;
  for (const auto& path : policy.trusted_roots) {
    FEDTEE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path));
    FEDTEE_ASSIGN_OR_RETURN(auto certs, attestation::x509::ParseCertificates(pem));
    for (const auto& c : certs) options.trusted_roots_der.push_back(attestation::x509::CertToDer(c.get()));
  }
  return options;
}

Result<AttestedAggregator> CheckAttestResponse(const v1::AttestResponse& response,
                                               ByteSpan challenge,
                                               const attestation::Policy& policy,
                                               const attestation::VerifyOptions& verify_options,
                                               const std::string& expected_curve_key,
                                               const Clock& clock) {
  if (!expected_curve_key.empty() && response.curve_public_key() != expected_curve_key) {
    return Status::PermissionDenied(
        "attest.curve_key_mismatch",
        "the aggregator answered with CURVE key " + response.curve_public_key() +
            " but the connection pinned " + expected_curve_key);
  }
  std::string evidence_bytes;
  response.evidence().SerializeToString(&evidence_bytes);
  FEDTEE_ASSIGN_OR_RETURN(attestation::Evidence evidence,
                          attestation::ParseEvidence(AsBytes(evidence_bytes)));
  auto claims = attestation::Verify(evidence, verify_options);
  if (!claims.ok()) return claims.status().Wrap("aggregator evidence is not authentic");

  AttestedAggregator out;
  out.hpke_public_key = ToBytes(response.hpke_public_key());
  out.curve_public_key = response.curve_public_key();
  out.receipt_public_key = ToBytes(response.receipt_public_key());
  out.data_endpoint = response.data_endpoint();
  if (out.hpke_public_key.size() != 32 || out.receipt_public_key.size() != 32) {
    return Status::Corruption("attest.bad_keys", "aggregator keys have the wrong length");
  }
  FEDTEE_ASSIGN_OR_RETURN(
      attestation::ReportData expected,
      AggregatorReportData(out.hpke_public_key, out.curve_public_key, out.receipt_public_key,
                           challenge));
  attestation::ValidationReport report =
      attestation::Validate(*claims, policy, expected, clock);
  FEDTEE_RETURN_IF_ERROR(report.ToStatus());
  out.claims = std::move(claims).value();
  out.measurement_hex = HexEncode(out.claims.measurement);
  out.platform = std::string(attestation::PlatformName(out.claims.platform));
  return out;
}

}  // namespace fedtee::federation
