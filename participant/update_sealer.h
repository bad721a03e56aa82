// Sealing a participant's model delta for the attested aggregator (docs/protocol.md "What
// is sealed", docs/hpke-chunk-stream.md): one crypto::ChunkSealer stream bound to
// (federation id, round, participant id), to the aggregator's attested HPKE key.
//
//   chunk 0      plaintext = serialized fedtee.v1.UpdateHeader
//                (num_examples, num_params, tensor names in model order, train_loss)
//   chunk 1..n   the delta's float32 values, little-endian, tensors in model order, at
//                most `chunk_bytes` (rounded down to a multiple of 4) per chunk, so no
//                value is split across chunks; the last chunk has final = true
//
// What is sealed is the DELTA (locally trained weights minus the global model received),
// never the raw weights. The update digest that the aggregator lists in its receipt is
// SHA-256(enc || ciphertext_0 || ciphertext_1 || ...).
//
// Pure apart from crypto (fresh ephemeral key): no sockets, no files, no clock.
// Errors: hpke.bad_key / chunk.bad_binding from crypto/chunk_stream.h; INVALID_ARGUMENT
// "update.empty" (a delta without values), "update.bad_chunk_bytes" (below 4 bytes).
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/chunk_stream.h"
#include "model/tensor.h"
#include "proto/federation.pb.h"

namespace fedtee::participant {

inline constexpr size_t kDefaultUpdateChunkBytes = size_t{1} << 20;

struct SealedUpdate {
  v1::UpdateStart start;                // federation, round, participant id, enc
  std::vector<v1::UpdateChunk> chunks;  // index 0.., the last one final
  Bytes digest;                         // SHA-256(enc || every ciphertext in order), 32 bytes
  uint64_t num_params = 0;              // float values sealed
};

// Seals `delta` with its header fields to `hpke_public_key` (32 bytes, from the verified
// AttestResponse). The caller owns the result; the plaintext copies made here are wiped.
Result<SealedUpdate> SealUpdate(const model::ModelParams& delta, uint64_t num_examples,
                                double train_loss, ByteSpan hpke_public_key,
                                const crypto::StreamBinding& binding,
                                size_t chunk_bytes = kDefaultUpdateChunkBytes);

// SHA-256(enc || chunks[0].ciphertext || chunks[1].ciphertext || ...): the update digest.
Bytes UpdateDigest(ByteSpan enc, const std::vector<v1::UpdateChunk>& chunks);

}  // namespace fedtee::participant
