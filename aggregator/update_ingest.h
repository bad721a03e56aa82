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
// Hot path: each values chunk is opened with ChunkOpener::OpenChunkInto straight into a
// reusable chunk-sized buffer, checked (finite) and its squared norm summed in one
// vectorised pass while it is in cache, then appended to the strategy's stage.
//
// Thread-safety: not thread-safe; one ingest is driven by one thread at a time (the
// IngestPool runs all chunks of a stream on one worker). It calls `strategy` from that
// thread, so a strategy shared by ingests on several threads must be a SharedStrategy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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

// The result of one pass over a chunk's values.
struct ValueScan {
  size_t first_non_finite = 0;  // index of the first NaN/infinity; values.size() if none
  double squared_norm = 0;      // sum of squares (meaningful when all values are finite)
};
// Checks finiteness and sums squares in one vectorised pass. Thread-safe (pure).
ValueScan ScanValues(std::span<const float> values);

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
  // Squared L2 norm of the values checked so far (of the whole delta once committed()),
  // computed in the same pass as the finiteness check; for clipping and metrics.
  double squared_norm() const { return squared_norm_; }
  const IngestContext& context() const { return context_; }

 private:
  UpdateIngest(crypto::ChunkOpener opener, ByteSpan enc, IngestContext context,
               const ModelLayout& layout, Strategy& strategy);
  Result<bool> AddChunkImpl(const v1::UpdateChunk& chunk);
  Status TakeHeader(ByteSpan plaintext);
  // Checks and appends the `plaintext_size` bytes opened into scratch_.
  Status TakeValues(size_t plaintext_size);
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
  uint64_t values_received_ = 0;
  double squared_norm_ = 0;
  // One chunk's values, opened in place (OpenChunkInto) and reused for the next chunk, so it
  // stays in cache; wiped when the stream ends, fails or is destroyed.
  std::vector<float> scratch_;
};

}  // namespace fedtee::aggregator
