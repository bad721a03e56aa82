#include "participant/update_sealer.h"

#include <openssl/crypto.h>

#include <bit>
#include <cstring>

#include "crypto/digest.h"

namespace fedtee::participant {
namespace {

// Writes `values` as float32 little-endian into `out` (4 bytes each).
void PutFloatsLe(std::span<const float> values, uint8_t* out) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, values.data(), values.size() * 4);
  } else {
    for (size_t i = 0; i < values.size(); ++i) {
      uint32_t u = std::bit_cast<uint32_t>(values[i]);
      for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(u >> (8 * b));
    }
  }
}

}  // namespace

Bytes UpdateDigest(ByteSpan enc, const std::vector<v1::UpdateChunk>& chunks) {
  crypto::Hasher h(crypto::HashAlg::kSha256);
  h.Update(enc);
  for (const v1::UpdateChunk& c : chunks) h.Update(AsBytes(c.ciphertext()));
  return h.Finish();
}

Result<SealedUpdate> SealUpdate(const model::ModelParams& delta, uint64_t num_examples,
                                double train_loss, ByteSpan hpke_public_key,
                                const crypto::StreamBinding& binding, size_t chunk_bytes) {
  const size_t per_chunk = chunk_bytes / 4;  // float values per data chunk
  if (per_chunk == 0) {
    return Status::InvalidArgument(
        "update.bad_chunk_bytes",
        "chunk_bytes must be at least 4, got " + std::to_string(chunk_bytes));
  }
  const size_t total = delta.total_params();
  if (total == 0) return Status::InvalidArgument("update.empty", "the delta holds no values");

  FEDTEE_ASSIGN_OR_RETURN(crypto::ChunkSealer sealer,
                          crypto::ChunkSealer::Create(hpke_public_key, binding));
  SealedUpdate out;
  out.num_params = total;
  out.start.set_federation_id(binding.federation_id);
  out.start.set_round(binding.round);
  out.start.set_participant_id(binding.participant_id);
  out.start.set_enc(ToString(sealer.enc()));

  auto add_chunk = [&](ByteSpan plaintext, bool final) -> Status {
    const uint64_t index = sealer.next_index();
    FEDTEE_ASSIGN_OR_RETURN(Bytes ct, sealer.SealChunk(plaintext, final));
    v1::UpdateChunk& c = out.chunks.emplace_back();
    c.set_round(binding.round);
    c.set_index(index);
    c.set_final(final);
    c.set_ciphertext(ToString(ct));
    return Status::Ok();
  };

  v1::UpdateHeader header;
  header.set_num_examples(num_examples);
  header.set_num_params(total);
  for (const model::Tensor& t : delta.tensors()) header.add_tensor_names(t.name);
  header.set_train_loss(train_loss);
  FEDTEE_RETURN_IF_ERROR(add_chunk(AsBytes(header.SerializeAsString()), /*final=*/false));

  // Walk the tensors in order, filling chunk buffers of per_chunk values.
  Bytes buf;
  buf.reserve(std::min(per_chunk, total) * 4);
  size_t sealed = 0;
  Status status;
  for (const model::Tensor& t : delta.tensors()) {
    std::span<const float> rest(t.data);
    while (!rest.empty()) {
      const size_t room = per_chunk - buf.size() / 4;
      const size_t take = std::min(room, rest.size());
      const size_t at = buf.size();
      buf.resize(at + take * 4);
      PutFloatsLe(rest.first(take), buf.data() + at);
      rest = rest.subspan(take);
      sealed += take;
      if (buf.size() / 4 == per_chunk || sealed == total) {
        status = add_chunk(buf, /*final=*/sealed == total);
        OPENSSL_cleanse(buf.data(), buf.size());
        buf.clear();
        if (!status.ok()) return status;
      }
    }
  }
  out.digest = UpdateDigest(sealer.enc(), out.chunks);
  return out;
}

}  // namespace fedtee::participant
