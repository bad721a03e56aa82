// Moving large plaintext payloads (the global model, other non-secret blobs) in chunks, so
// that no frame exceeds SocketOptions::max_message_bytes. Sealed updates do not use this:
// they travel as crypto/'s HPKE chunk stream, which also authenticates order.
//
// The sender splits a payload with SplitChunks and sends each chunk with its
// (stream_id, index, final) header in whatever message format the roles define; the
// receiver feeds them to a ChunkAssembler, which returns the payload when the final chunk
// arrives. Chunks of one stream must arrive in order (a DEALER/ROUTER connection keeps
// order); a gap, a duplicate or a reordering aborts the stream.
//
// Errors (stable reasons):
//   CORRUPTION "transport.chunk_out_of_order"  index is not the next one expected (gap,
//                                              duplicate, replay, a chunk after final, or a
//                                              stream that does not start at 0)
//   OUT_OF_RANGE "transport.too_large"         the stream would exceed max_total_bytes
//   OUT_OF_RANGE "transport.too_many_streams"  more than max_open_streams open at once
// After an error the stream is dropped: its later chunks fail with chunk_out_of_order
// until a new stream with that id starts again at index 0.
//
// Thread-safety: SplitChunks is pure; a ChunkAssembler needs external synchronisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::transport {

// Views of consecutive slices of `payload` of `chunk_bytes` each (the last may be shorter).
// An empty payload gives one empty chunk, so every stream has a final chunk. The views
// borrow `payload`, which must outlive them. `chunk_bytes` must be > 0.
std::vector<ByteSpan> SplitChunks(ByteSpan payload, size_t chunk_bytes);

struct ChunkAssemblerOptions {
  // Largest payload one stream may assemble, in bytes; guards memory against a peer that
  // never sends its final chunk. Default: 1 GiB.
  size_t max_total_bytes = size_t{1} << 30;
  // Streams that may be open (started, not final) at once; guards memory against a peer
  // that opens many. Default: 64.
  size_t max_open_streams = 64;
};

class ChunkAssembler {
 public:
  explicit ChunkAssembler(ChunkAssemblerOptions options = {}) : options_(options) {}

  // Accepts chunk `index` of stream `stream_id`; `final` marks the last chunk. Returns the
  // whole payload (and forgets the stream) when `final` is set, an empty optional before.
  // The bytes are copied; `chunk` may be dropped after the call.
  Result<std::optional<Bytes>> Accept(uint64_t stream_id, uint64_t index, bool final,
                                      ByteSpan chunk);

  // Drops a partly received stream (e.g. its sender timed out). No-op if unknown.
  void Abort(uint64_t stream_id) { streams_.erase(stream_id); }
  // Streams started and not yet final.
  size_t open_streams() const { return streams_.size(); }
  // Bytes held by open streams.
  size_t buffered_bytes() const;

 private:
  struct Stream {
    uint64_t next_index = 0;
    Bytes data;
  };
  ChunkAssemblerOptions options_;
  std::map<uint64_t, Stream> streams_;
};

}  // namespace fedtee::transport
