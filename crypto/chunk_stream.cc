#include "crypto/chunk_stream.h"

namespace fedtee::crypto {
namespace {

constexpr std::string_view kInfoTag = "fedtee/v1/update-stream";
constexpr std::string_view kAadTag = "fedtee/v1/update-chunk";
constexpr size_t kAadTailSize = 9;  // u64 index || u8 final

Status CheckBinding(const StreamBinding& b) {
  for (const std::string* id : {&b.federation_id, &b.participant_id}) {
    if (id->empty() || id->size() > kMaxStreamIdSize) {
      return Status::InvalidArgument(
          "chunk.bad_binding",
          "stream ids must be 1.." + std::to_string(kMaxStreamIdSize) + " bytes");
    }
  }
  return Status::Ok();
}

void AppendField(Bytes& out, std::string_view s) {
  AppendU32BE(out, static_cast<uint32_t>(s.size()));
  Append(out, AsBytes(s));
}

// tag || federation_id || round || participant_id, strings length-prefixed (u32 BE).
Bytes BindingPrefix(std::string_view tag, const StreamBinding& b) {
  Bytes out;
  out.reserve(4 + tag.size() + 4 + b.federation_id.size() + 8 + 4 + b.participant_id.size() +
              kAadTailSize);
  AppendField(out, tag);
  AppendField(out, b.federation_id);
  AppendU64BE(out, b.round);
  AppendField(out, b.participant_id);
  return out;
}

// Overwrites the last 9 bytes of `aad` with index (u64 BE) and final (0x00 / 0x01).
void SetAadTail(Bytes& aad, uint64_t index, bool final) {
  uint8_t* p = aad.data() + aad.size() - kAadTailSize;
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  p[8] = final ? 0x01 : 0x00;
}

Bytes AadTemplate(const StreamBinding& b) {
  Bytes aad = BindingPrefix(kAadTag, b);
  aad.resize(aad.size() + kAadTailSize);
  return aad;
}

}  // namespace

bool IsChunkOrderError(const Status& s) {
  return s.reason() == kChunkDuplicate || s.reason() == kChunkGap;
}

Result<Bytes> StreamInfo(const StreamBinding& binding) {
  FEDTEE_RETURN_IF_ERROR(CheckBinding(binding));
  return BindingPrefix(kInfoTag, binding);
}

Result<Bytes> ChunkAad(const StreamBinding& binding, uint64_t index, bool final) {
  FEDTEE_RETURN_IF_ERROR(CheckBinding(binding));
  Bytes aad = AadTemplate(binding);
  SetAadTail(aad, index, final);
  return aad;
}

// ---- ChunkSealer ----

ChunkSealer::ChunkSealer(Bytes enc, HpkeSenderContext ctx, StreamBinding binding, Bytes aad)
    : enc_(std::move(enc)),
      ctx_(std::move(ctx)),
      binding_(std::move(binding)),
      aad_(std::move(aad)) {}

Result<ChunkSealer> ChunkSealer::Create(ByteSpan recipient_pk, const StreamBinding& binding) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes info, StreamInfo(binding));
  FEDTEE_ASSIGN_OR_RETURN(HpkeSetup setup, SetupBaseS(HpkeSuite{}, recipient_pk, info));
  return ChunkSealer(std::move(setup.enc), std::move(setup.ctx), binding, AadTemplate(binding));
}

Result<Bytes> ChunkSealer::SealChunk(ByteSpan plaintext, bool final) {
  Bytes out(plaintext.size() + kChunkTagSize);
  FEDTEE_RETURN_IF_ERROR(SealChunkInto(plaintext, final, out));
  return out;
}

Status ChunkSealer::SealChunkInto(ByteSpan plaintext, bool final, std::span<uint8_t> out) {
  if (finished_) {
    return Status::FailedPrecondition(std::string(kChunkAfterFinal),
                                      "the final chunk of this stream was already sealed");
  }
  if (out.size() != plaintext.size() + kChunkTagSize) {
    return Status::InvalidArgument("chunk.bad_length", "output must be plaintext size + 16 bytes");
  }
  SetAadTail(aad_, next_index_, final);
  FEDTEE_RETURN_IF_ERROR(ctx_.SealInto(aad_, plaintext, out));
  ++next_index_;
  finished_ = final;
  return Status::Ok();
}

// ---- ChunkOpener ----

ChunkOpener::ChunkOpener(HpkeRecipientContext ctx, StreamBinding binding, Bytes aad)
    : ctx_(std::move(ctx)), binding_(std::move(binding)), aad_(std::move(aad)) {}

Result<ChunkOpener> ChunkOpener::Create(const X25519KeyPair& sk, ByteSpan enc,
                                        const StreamBinding& binding) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes info, StreamInfo(binding));
  FEDTEE_ASSIGN_OR_RETURN(HpkeRecipientContext ctx, SetupBaseR(HpkeSuite{}, enc, sk, info));
  return ChunkOpener(std::move(ctx), binding, AadTemplate(binding));
}

Status ChunkOpener::CheckOrder(uint64_t index) const {
  if (index < next_index_) {
    return Status::OutOfRange(std::string(kChunkDuplicate), "chunk " + std::to_string(index) +
                                                                " already opened; expected " +
                                                                std::to_string(next_index_));
  }
  if (finished_) {
    return Status::FailedPrecondition(std::string(kChunkAfterFinal),
                                      "chunk " + std::to_string(index) + " after the final chunk " +
                                          std::to_string(next_index_ - 1));
  }
  if (index > next_index_) {
    return Status::OutOfRange(
        std::string(kChunkGap),
        "chunk " + std::to_string(index) + " arrived, expected " + std::to_string(next_index_));
  }
  return Status::Ok();
}

Result<Bytes> ChunkOpener::OpenChunk(uint64_t index, bool final, ByteSpan ciphertext) {
  FEDTEE_RETURN_IF_ERROR(CheckOrder(index));
  if (ciphertext.size() < kChunkTagSize) {
    return Status::Corruption("chunk.malformed", "chunk shorter than the 16-byte tag");
  }
  Bytes out(ciphertext.size() - kChunkTagSize);
  FEDTEE_RETURN_IF_ERROR(OpenChunkInto(index, final, ciphertext, out));
  return out;
}

Status ChunkOpener::OpenChunkInto(uint64_t index, bool final, ByteSpan ciphertext,
                                  std::span<uint8_t> out) {
  FEDTEE_RETURN_IF_ERROR(CheckOrder(index));
  if (ciphertext.size() < kChunkTagSize) {
    return Status::Corruption("chunk.malformed", "chunk shorter than the 16-byte tag");
  }
  if (out.size() != ciphertext.size() - kChunkTagSize) {
    return Status::InvalidArgument("chunk.bad_length", "output must be ciphertext size - 16 bytes");
  }
  SetAadTail(aad_, index, final);
  Status s = ctx_.OpenInto(aad_, ciphertext, out);
  if (!s.ok()) {
    if (s.reason() == "hpke.open_failed") {
      return Status::Unauthenticated(
          std::string(kChunkAuthFailed),
          "chunk " + std::to_string(index) +
              " does not authenticate (tampered, wrong key, or another stream, round or flag)");
    }
    return s;
  }
  ++next_index_;
  finished_ = final;
  return Status::Ok();
}

Status ChunkOpener::Finish() const {
  if (!finished_) {
    return Status::Corruption(
        std::string(kChunkTruncated),
        "stream ended after " + std::to_string(next_index_) + " chunks without its final chunk");
  }
  return Status::Ok();
}

}  // namespace fedtee::crypto
