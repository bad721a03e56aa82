// The enclave's key set and the AttestResponse that proves it.
//
// At start the aggregator makes three fresh key pairs in memory (docs/protocol.md "Keys"):
//   - X25519 (HPKE): participants seal their updates to it;
//   - CURVE (CurveZMQ): the data plane's server key and the client key to the coordinator;
//   - Ed25519: signs round receipts.
// None is ever written to disk or logged; they die with the process, so a restarted
// aggregator has new keys and must be attested again. Evidence binds all three public keys
// and the verifier's challenge into REPORT_DATA (attestation/binding.h), with the CURVE key
// as its 32 raw bytes (the Z85 text decoded), as federation::CheckAttestResponse recomputes.
//
// Thread-safety: EnclaveKeys is immutable after Generate; const access from any thread.
// BuildAttestResponse calls the attester, which may not be thread-safe (see attester.h).
#pragma once

#include <memory>
#include <string>

#include "attestation/attester.h"
#include "attestation/claims.h"
#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hpke.h"
#include "crypto/signature.h"
#include "proto/federation.pb.h"
#include "transport/curve_identity.h"

namespace fedtee::aggregator {

// Accepted challenge lengths in bytes (the protocol asks for 32).
inline constexpr size_t kMinChallengeBytes = 16;
inline constexpr size_t kMaxChallengeBytes = 64;

class EnclaveKeys {
 public:
  // Makes the three key pairs. INTERNAL on a library failure (reasons of crypto/ and
  // transport/).
  static Result<std::unique_ptr<EnclaveKeys>> Generate();

  EnclaveKeys(const EnclaveKeys&) = delete;
  EnclaveKeys& operator=(const EnclaveKeys&) = delete;

  const crypto::X25519KeyPair& hpke() const { return hpke_; }
  const transport::CurveKeyPair& curve() const { return curve_; }
  const crypto::SigningKey& receipt_key() const { return receipt_; }

  // Public halves as sent in AttestResponse.
  const Bytes& hpke_public_key() const { return hpke_.public_key(); }
  const std::string& curve_public_z85() const { return curve_.public_z85; }
  const Bytes& curve_public_raw() const { return curve_raw_; }  // 32 bytes
  Bytes receipt_public_key() const;                             // 32 bytes

  // REPORT_DATA binding the three public keys and `challenge`.
  attestation::ReportData ReportDataFor(ByteSpan challenge) const;

 private:
  EnclaveKeys(crypto::X25519KeyPair hpke, transport::CurveKeyPair curve, Bytes curve_raw,
              crypto::SigningKey receipt);

  crypto::X25519KeyPair hpke_;
  transport::CurveKeyPair curve_;
  Bytes curve_raw_;
  crypto::SigningKey receipt_;
};

// Decodes a Z85 CURVE public key to its 32 raw bytes. INVALID_ARGUMENT "curve.bad_key".
Result<Bytes> DecodeCurveKey(const std::string& z85);

// Answers AttestRequest{challenge}: fresh evidence from `attester` binding `keys` and the
// challenge, the three public keys and `data_endpoint`. Errors: INVALID_ARGUMENT
// "attest.bad_challenge" (length outside [16, 64]); the attester's error wrapped as
// UNAVAILABLE "attest.failed" (the TEE could not produce evidence).
Result<v1::AttestResponse> BuildAttestResponse(const EnclaveKeys& keys,
                                               attestation::Attester& attester, ByteSpan challenge,
                                               const std::string& data_endpoint);

}  // namespace fedtee::aggregator
