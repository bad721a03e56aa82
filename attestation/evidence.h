// Evidence: what an attester hands to a verifier, in one platform-neutral envelope.
// Its byte format is the protobuf message fedtee.v1.Evidence (proto/evidence.proto), used
// both on the wire and in evidence files.
#pragma once

#include <vector>

#include "attestation/claims.h"
#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation {

struct Evidence {
  Platform platform = Platform::kSim;
  Bytes report;                     // sim: serialized SimReport; SNP: 1184-byte report; TDX: quote
  Bytes signature;                  // sim: ECDSA P-384 (DER) over `report`; empty otherwise
  std::vector<Bytes> certificates;  // DER, leaf first (sim: platform cert; SNP: VCEK[, ASK, ARK])
  Bytes aux;                        // SNP: the configfs-tsm auxblob (certificate table)
  Bytes collateral;                 // TDX: collateral JSON (PCS / dcap-qvl shape)
};

// Serializes to fedtee.v1.Evidence bytes.
Bytes SerializeEvidence(const Evidence& e);
// Parses fedtee.v1.Evidence bytes. CORRUPTION "attestation.malformed_evidence" on garbage,
// INVALID_ARGUMENT "attestation.unknown_backend" on a platform name fedtee does not know.
Result<Evidence> ParseEvidence(ByteSpan bytes);

}  // namespace fedtee::attestation
