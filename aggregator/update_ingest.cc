#include "aggregator/update_ingest.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <bit>
#include <cmath>
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

  if (chunk.index() == 0 || ct.size() < crypto::kChunkTagSize) {
    // The header (small), or a chunk too short to hold a tag (OpenChunk names the error).
    auto opened = opener_.OpenChunk(chunk.index(), chunk.final(), ct);
    if (!opened.ok()) return OpenFailed(opened.status());
    Bytes plaintext = std::move(opened).value();
    WipeOnExit wipe{plaintext};
    ++next_index_;
    if (chunk.index() == 0) {
      FEDTEE_RETURN_IF_ERROR(TakeHeader(plaintext));
    } else {
      FEDTEE_RETURN_IF_ERROR(TakeValues(plaintext.size()));
    }
  } else {
    // Values: open straight into the stream's reusable scratch (no allocation once it has
    // grown to the chunk size), check and hand it to the strategy while it is in cache.
    const size_t pt_size = ct.size() - crypto::kChunkTagSize;
    scratch_.resize((pt_size + sizeof(float) - 1) / sizeof(float));
    std::span<uint8_t> out(reinterpret_cast<uint8_t*>(scratch_.data()), pt_size);
    if (Status s = opener_.OpenChunkInto(chunk.index(), chunk.final(), ct, out); !s.ok()) {
      return OpenFailed(s);
    }
    ++next_index_;
    FEDTEE_RETURN_IF_ERROR(TakeValues(pt_size));
  }
  if (!chunk.final()) return false;

  if (Status s = opener_.Finish(); !s.ok()) return OpenFailed(s);
  FEDTEE_RETURN_IF_ERROR(strategy_.Commit(*stage_));
  committed_ = true;
  stage_.reset();
  WipeFloats(scratch_);
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

Status UpdateIngest::TakeValues(size_t plaintext_size) {
  if (plaintext_size % sizeof(float) != 0) {
    return Status::Corruption("update.malformed", "chunk " + std::to_string(next_index_ - 1) +
                                                      " holds " + std::to_string(plaintext_size) +
                                                      " bytes, not a multiple of 4");
  }
  std::span<float> values(scratch_.data(), plaintext_size / sizeof(float));
  if constexpr (std::endian::native != std::endian::little) {
    for (float& v : values) {
      const uint32_t u = std::bit_cast<uint32_t>(v);
      v = std::bit_cast<float>((u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) |
                               (u << 24));
    }
  }
  // One pass over the chunk while it is in cache: finiteness and the squared norm.
  const ValueScan scan = ScanValues(values);
  if (scan.first_non_finite < values.size()) {
    return Status::InvalidArgument(
        "update.non_finite", "value " + std::to_string(values_received_ + scan.first_non_finite) +
                                 " is NaN or infinite");
  }
  squared_norm_ += scan.squared_norm;
  values_received_ += values.size();
  Status s = strategy_.Append(*stage_, values);
  if (!s.ok()) stage_.reset();  // Append aborted the stage itself
  return s;
}

ValueScan ScanValues(std::span<const float> values) {
  // Branch-free over blocks of kLanes so that GCC/Clang vectorise it at -O2 (the float
  // lanes are independent partial sums; no -ffast-math needed). Exponent bits all ones
  // means NaN or infinity.
  constexpr size_t kLanes = 16;
  float acc[kLanes] = {};
  const size_t n = values.size();
  const float* v = values.data();
  ValueScan scan;
  scan.first_non_finite = n;
  double total = 0;
  // Blocks of 4096 values: a non-finite value is located within its block, and the float
  // partial sums are folded into double often enough to keep their rounding small.
  constexpr size_t kBlock = 4096;
  for (size_t b = 0; b < n; b += kBlock) {
    const size_t end = std::min(n, b + kBlock);
    uint32_t bad_lanes[kLanes] = {};
    size_t i = b;
    for (; i + kLanes <= end; i += kLanes) {
      for (size_t j = 0; j < kLanes; ++j) {
        uint32_t bits;
        std::memcpy(&bits, v + i + j, sizeof(bits));
        bad_lanes[j] |= (bits & 0x7f800000u) == 0x7f800000u ? 1u : 0u;
        acc[j] += v[i + j] * v[i + j];
      }
    }
    uint32_t bad = 0;
    for (uint32_t x : bad_lanes) bad |= x;
    for (; i < end; ++i) {
      uint32_t bits;
      std::memcpy(&bits, v + i, sizeof(bits));
      bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
      acc[0] += v[i] * v[i];
    }
    if (bad != 0) {
      for (size_t k = b; k < end; ++k) {
        if (!std::isfinite(v[k])) {
          scan.first_non_finite = k;
          return scan;
        }
      }
    }
    for (float& a : acc) {
      total += a;
      a = 0;
    }
  }
  scan.squared_norm = total;
  return scan;
}

}  // namespace fedtee::aggregator
