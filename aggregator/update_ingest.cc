#include "aggregator/update_ingest.h"

#include <openssl/crypto.h>

#include <bit>
#include <cstring>
#include <utility>

namespace fedtee::aggregator {
namespace {

// Plaintext of a chunk is the participant's secret: wipe it once consumed.
struct WipeOnExit {
  Bytes& b;
  ~WipeOnExit() {
    if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
  }
};

Status OpenFailed(const Status& crypto_status) {
  return Status::Unauthenticated("update.open_failed",
                                 "the sealed update did not open: " + crypto_status.ToString());
}

}  // namespace

Result<std::unique_ptr<UpdateIngest>> UpdateIngest::Begin(const crypto::X25519KeyPair& hpke_key,
                                                          ByteSpan enc, IngestContext context,
                                                          const ModelLayout& layout,
                                                          Strategy& strategy) {
  crypto::StreamBinding binding{context.federation_id, context.round, context.participant_id};
  auto opener = crypto::ChunkOpener::Create(hpke_key, enc, binding);
  if (!opener.ok()) {
    return Status::InvalidArgument("update.open_failed",
                                   "unusable enc: " + opener.status().ToString());
  }
  return std::unique_ptr<UpdateIngest>(
      new UpdateIngest(std::move(opener).value(), enc, std::move(context), layout, strategy));
}

UpdateIngest::UpdateIngest(crypto::ChunkOpener opener, ByteSpan enc, IngestContext context,
                           const ModelLayout& layout, Strategy& strategy)
    : opener_(std::move(opener)),
      hasher_(crypto::HashAlg::kSha256),
      context_(std::move(context)),
      layout_(layout),
      strategy_(strategy) {
  hasher_.Update(enc);
}

UpdateIngest::~UpdateIngest() {
  if (stage_ && !committed_) strategy_.Abort(*stage_);
  WipeFloats(scratch_);
}

Status UpdateIngest::Fail(Status s) {
  if (stage_ && !committed_) strategy_.Abort(*stage_);
  stage_.reset();
  WipeFloats(scratch_);
  failure_ = s;
  return s;
}

Result<bool> UpdateIngest::AddChunk(const v1::UpdateChunk& chunk) {
  if (failure_) return *failure_;
  if (committed_) {
    return Status::FailedPrecondition("update.duplicate", "the stream is already complete");
  }
  auto r = AddChunkImpl(chunk);
  if (!r.ok()) return Fail(r.status());
  return r;
}

Result<bool> UpdateIngest::AddChunkImpl(const v1::UpdateChunk& chunk) {
  if (chunk.round() != context_.round) {
    return Status::FailedPrecondition(
        "round.wrong_round", "chunk of round " + std::to_string(chunk.round()) +
                                 " in a stream of round " + std::to_string(context_.round));
  }
  if (chunk.index() != next_index_) {
    return Status::InvalidArgument("update.out_of_order", "chunk " + std::to_string(chunk.index()) +
                                                              " arrived, expected " +
                                                              std::to_string(next_index_));
  }
  const ByteSpan ct = AsBytes(chunk.ciphertext());
  hasher_.Update(ct);
  ciphertext_bytes_ += ct.size();

  auto opened = opener_.OpenChunk(chunk.index(), chunk.final(), ct);
  if (!opened.ok()) return OpenFailed(opened.status());
  Bytes plaintext = std::move(opened).value();
  WipeOnExit wipe{plaintext};
  ++next_index_;

  if (chunk.index() == 0) {
    FEDTEE_RETURN_IF_ERROR(TakeHeader(plaintext));
  } else {
    FEDTEE_RETURN_IF_ERROR(TakeValues(plaintext));
  }
  if (!chunk.final()) return false;

  if (Status s = opener_.Finish(); !s.ok()) return OpenFailed(s);
  FEDTEE_RETURN_IF_ERROR(strategy_.Commit(*stage_));
  committed_ = true;
  stage_.reset();
  digest_ = hasher_.Finish();
  return true;
}

Status UpdateIngest::TakeHeader(ByteSpan plaintext) {
  v1::UpdateHeader header;
  if (!header.ParseFromArray(plaintext.data(), static_cast<int>(plaintext.size()))) {
    return Status::Corruption("update.malformed", "chunk 0 is not an UpdateHeader");
  }
  if (header.num_examples() == 0 || header.num_examples() > context_.max_examples) {
    return Status::InvalidArgument("update.bad_example_count",
                                   "num_examples " + std::to_string(header.num_examples()) +
                                       " is outside (0, " + std::to_string(context_.max_examples) +
                                       "]");
  }
  if (header.num_params() != layout_.num_params) {
    return Status::InvalidArgument(
        "update.wrong_shape", "num_params " + std::to_string(header.num_params()) +
                                  ", the global model has " + std::to_string(layout_.num_params));
  }
  if (static_cast<size_t>(header.tensor_names_size()) != layout_.tensor_names.size() ||
      !std::equal(header.tensor_names().begin(), header.tensor_names().end(),
                  layout_.tensor_names.begin())) {
    return Status::InvalidArgument("update.wrong_shape",
                                   "tensor names differ from the global model's");
  }
  FEDTEE_ASSIGN_OR_RETURN(StageId id, strategy_.Stage(header.num_examples()));
  stage_ = id;
  num_examples_ = header.num_examples();
  train_loss_ = header.train_loss();
  return Status::Ok();
}

Status UpdateIngest::TakeValues(ByteSpan plaintext) {
  if (plaintext.size() % sizeof(float) != 0) {
    return Status::Corruption("update.malformed", "chunk " + std::to_string(next_index_ - 1) +
                                                      " holds " + std::to_string(plaintext.size()) +
                                                      " bytes, not a multiple of 4");
  }
  scratch_.resize(plaintext.size() / sizeof(float));
  if constexpr (std::endian::native == std::endian::little) {
    if (!plaintext.empty()) std::memcpy(scratch_.data(), plaintext.data(), plaintext.size());
  } else {
    for (size_t i = 0; i < scratch_.size(); ++i) {
      const uint8_t* p = plaintext.data() + 4 * i;
      uint32_t u =
          uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
      scratch_[i] = std::bit_cast<float>(u);
    }
  }
  Status s = strategy_.Append(*stage_, scratch_);
  OPENSSL_cleanse(scratch_.data(), scratch_.size() * sizeof(float));
  if (!s.ok()) stage_.reset();  // Append aborted the stage itself
  return s;
}

}  // namespace fedtee::aggregator
