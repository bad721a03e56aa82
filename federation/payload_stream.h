// Large plaintext payloads (global models, aggregates) as sequences of PayloadChunk
// envelopes, so no frame exceeds the socket's message size limit (docs/protocol.md).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "proto/federation.pb.h"

namespace fedtee::federation {

// Splits `payload` into encoded PayloadChunk envelopes of at most `chunk_bytes` data each
// and hands each frame to `send` in order; stops at the first error and returns it.
// An empty payload is one empty final chunk.
Status SendPayload(const std::string& stream, ByteSpan payload, size_t chunk_bytes,
                   const std::function<Status(Bytes frame)>& send);

// Reassembles one named stream. Not thread-safe.
class PayloadAssembler {
 public:
  // `expected_bytes` is the size announced beforehand (RoundTask.model_bytes etc.); more
  // than that is refused. `max_bytes` bounds it in any case.
  PayloadAssembler(std::string stream, uint64_t expected_bytes, uint64_t max_bytes);

  // Takes the next chunk. Errors: "payload.wrong_stream", "payload.out_of_order",
  // "payload.after_final", "payload.too_large", "payload.size_mismatch" (final chunk but
  // total != expected). Returns true when the final chunk completed the payload.
  Result<bool> Add(const v1::PayloadChunk& chunk);
  bool complete() const { return complete_; }
  // The payload; valid once complete(). Moves it out.
  Bytes Take() { return std::move(data_); }
  const std::string& stream() const { return stream_; }

 private:
  std::string stream_;
  uint64_t expected_;
  uint64_t max_;
  uint64_t next_index_ = 0;
  bool complete_ = false;
  Bytes data_;
};

}  // namespace fedtee::federation
