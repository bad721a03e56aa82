#include "participant/update_sealer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "crypto/chunk_stream.h"
#include "crypto/digest.h"
#include "crypto/hpke.h"

namespace fedtee::participant {
namespace {

model::ModelParams MakeDelta() {
  model::ModelParams p;
  model::Tensor w{"linear.weight", {2, 5}, {}};
  for (int i = 0; i < 10; ++i) w.data.push_back(0.25f * i - 1.0f);
  model::Tensor b{"linear.bias", {2}, {-0.5f, 3.0e-7f}};
  EXPECT_TRUE(p.Add(w).ok());
  EXPECT_TRUE(p.Add(b).ok());
  return p;
}

crypto::StreamBinding Binding() { return {"fed-1", 4, "hospital-2"}; }

struct Opened {
  v1::UpdateHeader header;
  std::vector<float> values;
  std::vector<size_t> chunk_sizes;  // plaintext bytes of chunks 1..
};

// What the aggregator does: open every chunk in order, parse the header, decode floats.
Result<Opened> OpenAll(const crypto::X25519KeyPair& sk, const SealedUpdate& u,
                       const crypto::StreamBinding& binding) {
  FEDTEE_ASSIGN_OR_RETURN(crypto::ChunkOpener opener,
                          crypto::ChunkOpener::Create(sk, AsBytes(u.start.enc()), binding));
  Opened out;
  for (const v1::UpdateChunk& c : u.chunks) {
    FEDTEE_ASSIGN_OR_RETURN(Bytes pt,
                            opener.OpenChunk(c.index(), c.final(), AsBytes(c.ciphertext())));
    if (c.index() == 0) {
      if (!out.header.ParseFromArray(pt.data(), static_cast<int>(pt.size()))) {
        return Status::Corruption("test.header", "chunk 0 is not an UpdateHeader");
      }
      continue;
    }
    if (pt.size() % 4 != 0) return Status::Corruption("test.split", "a value was split");
    out.chunk_sizes.push_back(pt.size());
    for (size_t i = 0; i < pt.size(); i += 4) {
      float f;
      std::memcpy(&f, pt.data() + i, 4);  // little-endian host (x86-64, aarch64)
      out.values.push_back(f);
    }
  }
  FEDTEE_RETURN_IF_ERROR(opener.Finish());
  return out;
}

TEST(UpdateSealerTest, OpensWithChunkOpenerAndReproducesTheDelta) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  model::ModelParams delta = MakeDelta();
  auto sealed = SealUpdate(delta, 123, 0.42, sk.public_key(), Binding(), /*chunk_bytes=*/16);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->start.federation_id(), "fed-1");
  EXPECT_EQ(sealed->start.round(), 4u);
  EXPECT_EQ(sealed->start.participant_id(), "hospital-2");
  EXPECT_EQ(sealed->start.enc().size(), crypto::kHpkeEncSize);
  EXPECT_EQ(sealed->num_params, 12u);
  // 12 values, 4 per chunk: header + 3 data chunks; only the last one is final.
  ASSERT_EQ(sealed->chunks.size(), 4u);
  for (size_t i = 0; i < sealed->chunks.size(); ++i) {
    EXPECT_EQ(sealed->chunks[i].index(), i);
    EXPECT_EQ(sealed->chunks[i].round(), 4u);
    EXPECT_EQ(sealed->chunks[i].final(), i + 1 == sealed->chunks.size());
  }

  auto opened = OpenAll(sk, *sealed, Binding());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->header.num_examples(), 123u);
  EXPECT_EQ(opened->header.num_params(), 12u);
  ASSERT_EQ(opened->header.tensor_names_size(), 2);
  EXPECT_EQ(opened->header.tensor_names(0), "linear.weight");
  EXPECT_EQ(opened->header.tensor_names(1), "linear.bias");
  EXPECT_DOUBLE_EQ(opened->header.train_loss(), 0.42);
  EXPECT_EQ(opened->values, delta.Flatten());  // bit-exact
  EXPECT_EQ(opened->chunk_sizes, (std::vector<size_t>{16, 16, 16}));
}

TEST(UpdateSealerTest, DigestIsSha256OfEncAndEveryCiphertext) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  auto sealed = SealUpdate(MakeDelta(), 7, 0.1, sk.public_key(), Binding(), 12).value();
  Bytes all = ToBytes(sealed.start.enc());
  for (const auto& c : sealed.chunks) Append(all, AsBytes(c.ciphertext()));
  EXPECT_EQ(sealed.digest, crypto::Sha256(all));
  EXPECT_EQ(sealed.digest, UpdateDigest(AsBytes(sealed.start.enc()), sealed.chunks));
  EXPECT_EQ(sealed.digest.size(), 32u);
}

TEST(UpdateSealerTest, ChunkBytesRoundDownToWholeValuesAndOneBigChunkWorks) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  // 10 bytes -> 2 values per chunk: 12 values in 6 data chunks.
  auto small = SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding(), 10).value();
  EXPECT_EQ(small.chunks.size(), 7u);
  auto opened = OpenAll(sk, small, Binding()).value();
  EXPECT_EQ(opened.values, MakeDelta().Flatten());
  // Default 1 MiB: header + one data chunk.
  auto big = SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding()).value();
  ASSERT_EQ(big.chunks.size(), 2u);
  EXPECT_TRUE(big.chunks[1].final());
  EXPECT_EQ(OpenAll(sk, big, Binding()).value().values, MakeDelta().Flatten());
}

TEST(UpdateSealerTest, StreamIsBoundToRoundAndParticipant) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  auto sealed = SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding(), 64).value();
  auto next_round = OpenAll(sk, sealed, {"fed-1", 5, "hospital-2"});
  EXPECT_EQ(next_round.status().reason(), crypto::kChunkAuthFailed);
  auto other_site = OpenAll(sk, sealed, {"fed-1", 4, "hospital-3"});
  EXPECT_EQ(other_site.status().reason(), crypto::kChunkAuthFailed);
  auto other_key = crypto::X25519KeyPair::Generate().value();
  EXPECT_EQ(OpenAll(other_key, sealed, Binding()).status().reason(), crypto::kChunkAuthFailed);
}

TEST(UpdateSealerTest, FreshEncAndDigestPerStream) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  auto a = SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding()).value();
  auto b = SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding()).value();
  EXPECT_NE(a.start.enc(), b.start.enc());
  EXPECT_NE(a.digest, b.digest);
}

TEST(UpdateSealerTest, Errors) {
  auto sk = crypto::X25519KeyPair::Generate().value();
  EXPECT_EQ(SealUpdate(MakeDelta(), 1, 0, sk.public_key(), Binding(), 3).status().reason(),
            "update.bad_chunk_bytes");
  EXPECT_EQ(SealUpdate(model::ModelParams(), 1, 0, sk.public_key(), Binding()).status().reason(),
            "update.empty");
  EXPECT_EQ(SealUpdate(MakeDelta(), 1, 0, Bytes(31, 1), Binding()).status().reason(),
            "hpke.bad_key");
  EXPECT_EQ(SealUpdate(MakeDelta(), 1, 0, sk.public_key(), {"", 1, "p"}).status().reason(),
            "chunk.bad_binding");
}

}  // namespace
}  // namespace fedtee::participant
