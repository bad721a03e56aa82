// Sealed update streams: one HPKE context (crypto/hpke.h, fedtee's default suite) sealing a
// large plaintext as a sequence of chunks, so a participant's update can be sent and opened
// piece by piece without holding it whole. The byte layout of `info` and of each chunk's
// AAD, and the rules below, are specified in docs/hpke-chunk-stream.md.
//
// The stream is bound to a StreamBinding (federation id, round, participant id) through the
// HPKE info; each chunk's AAD binds the same fields plus the chunk index and a final flag,
// and chunk i is sealed with HPKE sequence number i. So chunks cannot be dropped, reordered,
// replayed, moved to another round, federation or participant, or have the end of the
// stream cut off or moved, without an error below.
//
// Error reasons (Status::reason()):
//   chunk.duplicate     OUT_OF_RANGE       index below the next expected one (a replay or a
//                                          chunk delivered twice); safe to drop and go on
//   chunk.gap           OUT_OF_RANGE       index above the next expected one (a chunk was lost
//                                          or reordered); the stream cannot continue
//   chunk.after_final   FAILED_PRECONDITION a chunk (at or past the next index) after the final
//                                          one, or SealChunk after the final chunk
//   chunk.truncated     CORRUPTION         Finish() before the final chunk arrived
//   chunk.auth_failed   UNAUTHENTICATED    the chunk does not authenticate: tampered bytes, a
//                                          wrong key or enc, a stream from another round,
//                                          federation or participant, a flipped final flag
//   chunk.malformed     CORRUPTION         ciphertext shorter than the 16-byte tag
//   chunk.bad_binding   INVALID_ARGUMENT   an empty or over-long id in the StreamBinding
//   chunk.bad_length    INVALID_ARGUMENT   an output span of the wrong size
//   plus hpke.bad_key / hpke.bad_enc / hpke.seq_overflow from crypto/hpke.h.
// A failed OpenChunk leaves the opener where it was: the same index may be retried with
// the genuine bytes. IsChunkOrderError() is true for chunk.duplicate and chunk.gap.
//
// Thread-safety: a ChunkSealer or ChunkOpener is used by one thread at a time. Both are
// move-only and wipe their keys on destruction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hpke.h"

namespace fedtee::crypto {

// What a sealed update stream is bound to. Ids are 1..kMaxStreamIdSize bytes (any bytes).
struct StreamBinding {
  std::string federation_id;
  uint64_t round = 0;
  std::string participant_id;
};

inline constexpr size_t kMaxStreamIdSize = 1024;
inline constexpr size_t kChunkTagSize = kHpkeTagSize;  // ciphertext = plaintext + 16 bytes

inline constexpr std::string_view kChunkDuplicate = "chunk.duplicate";
inline constexpr std::string_view kChunkGap = "chunk.gap";
inline constexpr std::string_view kChunkAfterFinal = "chunk.after_final";
inline constexpr std::string_view kChunkTruncated = "chunk.truncated";
inline constexpr std::string_view kChunkAuthFailed = "chunk.auth_failed";

// True if `s` is chunk.duplicate or chunk.gap (the chunk arrived out of order).
bool IsChunkOrderError(const Status& s);

// The HPKE info and a chunk's AAD, as specified in docs/hpke-chunk-stream.md. Exposed for
// tests and for other implementations; sealers and openers build them internally.
// INVALID_ARGUMENT "chunk.bad_binding" for a bad id.
Result<Bytes> StreamInfo(const StreamBinding& binding);
Result<Bytes> ChunkAad(const StreamBinding& binding, uint64_t index, bool final);

// The participant's side: seals chunk 0, 1, 2, ... of one stream to the aggregator's key.
class ChunkSealer {
 public:
  // Encapsulates to `recipient_pk` (32 raw X25519 bytes) with a fresh ephemeral key.
  // INVALID_ARGUMENT "hpke.bad_key" / "chunk.bad_binding".
  static Result<ChunkSealer> Create(ByteSpan recipient_pk, const StreamBinding& binding);

  // The encapsulated key (32 bytes): send it before the chunks (UpdateStreamBegin).
  const Bytes& enc() const { return enc_; }
  const StreamBinding& binding() const { return binding_; }

  // Seals the next chunk (index next_index()); `final` marks the last chunk of the stream (it
  // may be empty). Returns plaintext.size() + 16 bytes, owned by the caller.
  // FAILED_PRECONDITION "chunk.after_final" once the final chunk has been sealed.
  Result<Bytes> SealChunk(ByteSpan plaintext, bool final);
  // As SealChunk into `out` of exactly plaintext.size() + 16 bytes ("chunk.bad_length");
  // no allocation. On error nothing advances.
  Status SealChunkInto(ByteSpan plaintext, bool final, std::span<uint8_t> out);

  // Index of the next chunk to seal (= chunks sealed so far).
  uint64_t next_index() const { return next_index_; }
  bool finished() const { return finished_; }

  ChunkSealer(ChunkSealer&&) noexcept = default;
  ChunkSealer& operator=(ChunkSealer&&) noexcept = default;

 private:
  ChunkSealer(Bytes enc, HpkeSenderContext ctx, StreamBinding binding, Bytes aad);

  Bytes enc_;
  HpkeSenderContext ctx_;
  StreamBinding binding_;
  Bytes aad_;  // AAD prefix followed by 9 bytes rewritten per chunk (no per-chunk allocation)
  uint64_t next_index_ = 0;
  bool finished_ = false;
};

// The aggregator's side: opens the chunks of one stream strictly in order.
class ChunkOpener {
 public:
  // Decapsulates `enc` with `sk` for a stream bound to `binding`. INVALID_ARGUMENT
  // "hpke.bad_enc" / "chunk.bad_binding". A wrong key or binding shows as chunk.auth_failed
  // on the first chunk. `sk` is not retained.
  static Result<ChunkOpener> Create(const X25519KeyPair& sk, ByteSpan enc,
                                    const StreamBinding& binding);

  // Opens chunk `index` with the sender's `final` flag, as carried next to it on the wire.
  // Returns its plaintext (ciphertext.size() - 16 bytes). Errors: chunk.duplicate,
  // chunk.gap, chunk.after_final, chunk.malformed, chunk.auth_failed (see above); on any
  // error the opener does not advance.
  Result<Bytes> OpenChunk(uint64_t index, bool final, ByteSpan ciphertext);
  // As OpenChunk into `out` of exactly ciphertext.size() - 16 bytes ("chunk.bad_length");
  // no allocation. On chunk.auth_failed `out` is wiped.
  Status OpenChunkInto(uint64_t index, bool final, ByteSpan ciphertext, std::span<uint8_t> out);

  // OK once the final chunk has been opened; CORRUPTION "chunk.truncated" before.
  Status Finish() const;
  bool finished() const { return finished_; }
  // Index of the next chunk expected (= chunks opened so far).
  uint64_t next_index() const { return next_index_; }
  const StreamBinding& binding() const { return binding_; }

  ChunkOpener(ChunkOpener&&) noexcept = default;
  ChunkOpener& operator=(ChunkOpener&&) noexcept = default;

 private:
  ChunkOpener(HpkeRecipientContext ctx, StreamBinding binding, Bytes aad);
  Status CheckOrder(uint64_t index) const;

  HpkeRecipientContext ctx_;
  StreamBinding binding_;
  Bytes aad_;
  uint64_t next_index_ = 0;
  bool finished_ = false;
};

}  // namespace fedtee::crypto
