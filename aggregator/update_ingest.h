// One sealed update stream (docs/protocol.md, docs/hpke-chunk-stream.md): opens each
// UpdateChunk with the enclave's HPKE key under the stream's binding (federation, round,
// participant id), checks it, and stages its values in the strategy; when the final chunk
// opens and the stream's framing is complete, the staged update is committed. Pure apart
// from the crypto: no sockets, no clock, no logging.
//
// Stream layout: chunk 0's plaintext is a fedtee.v1.UpdateHeader; chunks 1.. hold the model
// delta as float32 little-endian, tensors in the global model's order, split anywhere on a
// 4-byte boundary. The update digest is SHA-256 over enc || every chunk's ciphertext in order.
//
// Any error aborts the stream: its staged values are wiped and dropped, the aggregate is
// untouched, and the object is spent (every later AddChunk returns the first error again).
// Reasons (Status::reason(), sent as UpdateStatus.reason):
//   update.open_failed       UNAUTHENTICATED  a chunk did not open: tampered, sealed for
//                            another key, federation, round or participant, reordered,
//                            dropped, or the stream ended early (the crypto reason is in the
//                            message)
//   round.wrong_round        FAILED_PRECONDITION  UpdateChunk.round is not the stream's round
//   update.out_of_order      INVALID_ARGUMENT  a chunk index other than the next one
//   update.malformed         CORRUPTION   chunk 0 is not an UpdateHeader, or a values chunk
//                            is not a multiple of 4 bytes
//   update.bad_example_count INVALID_ARGUMENT  num_examples outside (0, max_examples]
//   update.wrong_shape       INVALID_ARGUMENT  num_params / tensor names differ from the
//                            global model, or the stream holds too many or too few values
//   update.non_finite        INVALID_ARGUMENT  a NaN or an infinity
//   update.busy              UNAVAILABLE  the strategy has max_in_flight stages already
//
// Lifetime: `strategy` and `layout` are borrowed and must outlive the ingest (the service
// destroys every ingest before it resets the strategy for a new round).
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aggregator/fedavg.h"
#include "base/bytes.h"
#include "base/status.h"
#include "crypto/chunk_stream.h"
#include "crypto/digest.h"
#include "crypto/hpke.h"
#include "proto/federation.pb.h"

namespace fedtee::aggregator {

// The global model's layout as updates must match it.
struct ModelLayout {
  std::vector<std::string> tensor_names;  // in model order
  uint64_t num_params = 0;                // sum of the tensors' element counts
};

// What an update stream is checked against.
struct IngestContext {
  std::string federation_id;
  uint64_t round = 0;
  std::string participant_id;  // the authenticated peer's id
  uint64_t max_examples = 0;   // num_examples must be in (0, max_examples]
};

class UpdateIngest {
 public:
  // Starts a stream from UpdateStart.enc. Errors: "update.open_failed" for an unusable enc
  // (INVALID_ARGUMENT). Nothing is staged until chunk 0 opens.
  static Result<std::unique_ptr<UpdateIngest>> Begin(const crypto::X25519KeyPair& hpke_key,
                                                     ByteSpan enc, IngestContext context,
                                                     const ModelLayout& layout, Strategy& strategy);
  ~UpdateIngest();
  UpdateIngest(const UpdateIngest&) = delete;
  UpdateIngest& operator=(const UpdateIngest&) = delete;

  // Takes the next chunk. Returns true when this was the final chunk and the update was
  // committed to the strategy; false when more chunks are expected. On error see above.
  Result<bool> AddChunk(const v1::UpdateChunk& chunk);

  bool committed() const { return committed_; }
  bool failed() const { return failure_.has_value(); }
  // SHA-256 over enc || ciphertexts: complete once committed().
  const Bytes& digest() const { return digest_; }
  // From the UpdateHeader (0 before chunk 0 opened).
  uint64_t num_examples() const { return num_examples_; }
  double train_loss() const { return train_loss_; }
  uint64_t chunks_received() const { return next_index_; }
  uint64_t ciphertext_bytes() const { return ciphertext_bytes_; }
  const IngestContext& context() const { return context_; }

 private:
  UpdateIngest(crypto::ChunkOpener opener, ByteSpan enc, IngestContext context,
               const ModelLayout& layout, Strategy& strategy);
  Result<bool> AddChunkImpl(const v1::UpdateChunk& chunk);
  Status TakeHeader(ByteSpan plaintext);
  Status TakeValues(ByteSpan plaintext);
  Status Fail(Status s);

  crypto::ChunkOpener opener_;
  crypto::Hasher hasher_;
  IngestContext context_;
  const ModelLayout& layout_;
  Strategy& strategy_;
  std::optional<StageId> stage_;
  uint64_t next_index_ = 0;
  uint64_t ciphertext_bytes_ = 0;
  uint64_t num_examples_ = 0;
  double train_loss_ = 0;
  bool committed_ = false;
  std::optional<Status> failure_;
  Bytes digest_;
  std::vector<float> scratch_;  // one chunk's values; wiped after use
};

}  // namespace fedtee::aggregator
