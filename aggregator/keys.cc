#include "aggregator/keys.h"

#include <zmq.h>

#include <utility>

#include "attestation/binding.h"
#include "attestation/evidence.h"

namespace fedtee::aggregator {

Result<Bytes> DecodeCurveKey(const std::string& z85) {
  FEDTEE_RETURN_IF_ERROR(transport::ValidateZ85Key(z85));
  Bytes raw(32);
  if (zmq_z85_decode(raw.data(), z85.c_str()) == nullptr) {
    return Status::InvalidArgument("curve.bad_key", "not a Z85 CURVE key");
  }
  return raw;
}

EnclaveKeys::EnclaveKeys(crypto::X25519KeyPair hpke, transport::CurveKeyPair curve, Bytes curve_raw,
                         crypto::SigningKey receipt)
    : hpke_(std::move(hpke)),
      curve_(std::move(curve)),
      curve_raw_(std::move(curve_raw)),
      receipt_(std::move(receipt)) {}

Result<std::unique_ptr<EnclaveKeys>> EnclaveKeys::Generate() {
  FEDTEE_ASSIGN_OR_RETURN(crypto::X25519KeyPair hpke, crypto::X25519KeyPair::Generate());
  FEDTEE_ASSIGN_OR_RETURN(transport::CurveKeyPair curve, transport::CurveKeyPair::Generate());
  FEDTEE_ASSIGN_OR_RETURN(Bytes curve_raw, DecodeCurveKey(curve.public_z85));
  FEDTEE_ASSIGN_OR_RETURN(crypto::SigningKey receipt, crypto::SigningKey::Generate());
  return std::unique_ptr<EnclaveKeys>(
      new EnclaveKeys(std::move(hpke), std::move(curve), std::move(curve_raw), std::move(receipt)));
}

Bytes EnclaveKeys::receipt_public_key() const { return receipt_.public_key(); }

attestation::ReportData EnclaveKeys::ReportDataFor(ByteSpan challenge) const {
  const Bytes receipt_pk = receipt_public_key();
  return attestation::BindReportData(hpke_public_key(), curve_raw_, receipt_pk, challenge);
}

Result<v1::AttestResponse> BuildAttestResponse(const EnclaveKeys& keys,
                                               attestation::Attester& attester, ByteSpan challenge,
                                               const std::string& data_endpoint) {
  if (challenge.size() < kMinChallengeBytes || challenge.size() > kMaxChallengeBytes) {
    return Status::InvalidArgument("attest.bad_challenge",
                                   "challenge of " + std::to_string(challenge.size()) +
                                       " bytes; expected 16 to 64 (32 recommended)");
  }
  auto evidence = attester.Attest(keys.ReportDataFor(challenge));
  if (!evidence.ok()) {
    return Status::Unavailable(
        "attest.failed", "the TEE could not produce evidence: " + evidence.status().ToString());
  }
  const Bytes evidence_bytes = attestation::SerializeEvidence(*evidence);
  v1::AttestResponse response;
  if (!response.mutable_evidence()->ParseFromArray(evidence_bytes.data(),
                                                   static_cast<int>(evidence_bytes.size()))) {
    return Status::Internal("attest.failed", "evidence did not round-trip through protobuf");
  }
  response.set_hpke_public_key(ToString(keys.hpke_public_key()));
  response.set_curve_public_key(keys.curve_public_z85());
  response.set_receipt_public_key(ToString(keys.receipt_public_key()));
  response.set_data_endpoint(data_endpoint);
  return response;
}

}  // namespace fedtee::aggregator
