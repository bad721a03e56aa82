// Round receipts: what the aggregator signs (fedtee.v1.Receipt, docs/protocol.md) and how
// the coordinator and participants check them. Thread-safe.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "proto/federation.pb.h"

namespace fedtee::federation {

// Canonical bytes of a receipt: entries sorted by participant id, deterministic protobuf
// serialization. The signature is Ed25519 over these bytes.
Bytes SerializeReceipt(v1::Receipt receipt);
Result<v1::Receipt> ParseReceipt(ByteSpan bytes);

// Checks `signature` over `receipt_bytes` under the attested Ed25519 key, then parses.
// UNAUTHENTICATED "receipt.bad_signature"; CORRUPTION "receipt.malformed".
Result<v1::Receipt> VerifyReceipt(ByteSpan receipt_bytes, ByteSpan signature,
                                  ByteSpan receipt_public_key);

// Checks that the receipt lists (participant_id, update_digest). PERMISSION_DENIED
// "receipt.update_missing" otherwise (the participant's update was not included).
Status CheckReceiptIncludes(const v1::Receipt& receipt, const std::string& participant_id,
                            ByteSpan update_digest);

}  // namespace fedtee::federation
