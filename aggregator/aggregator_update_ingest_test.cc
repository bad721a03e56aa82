#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "aggregator/update_ingest.h"
#include "crypto/chunk_stream.h"
#include "crypto/digest.h"

namespace fedtee::aggregator {
namespace {

struct SealedStream {
  Bytes enc;
  std::vector<v1::UpdateChunk> chunks;
};

struct Header {
  uint64_t num_examples = 10;
  uint64_t num_params = 5;
  std::vector<std::string> names = {"w", "b"};
};

Bytes FloatsLe(std::span<const float> v) {
  Bytes out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());  // the test machine is little-endian
  return out;
}

// Seals header + values (split `per_chunk` floats per chunk) for `binding`.
SealedStream Seal(ByteSpan pk, const crypto::StreamBinding& binding, const Header& h,
                  const std::vector<float>& values, size_t per_chunk = 2) {
  auto sealer = crypto::ChunkSealer::Create(pk, binding);
  EXPECT_TRUE(sealer.ok()) << sealer.status().ToString();
  SealedStream s;
  s.enc = sealer->enc();
  v1::UpdateHeader header;
  header.set_num_examples(h.num_examples);
  header.set_num_params(h.num_params);
  for (const auto& n : h.names) header.add_tensor_names(n);
  std::vector<Bytes> plaintexts = {ToBytes(header.SerializeAsString())};
  for (size_t i = 0; i < values.size(); i += per_chunk) {
    size_t n = std::min(per_chunk, values.size() - i);
    plaintexts.push_back(FloatsLe(std::span<const float>(values).subspan(i, n)));
  }
  for (size_t i = 0; i < plaintexts.size(); ++i) {
    const bool final = i + 1 == plaintexts.size();
    auto ct = sealer->SealChunk(plaintexts[i], final);
    EXPECT_TRUE(ct.ok());
    v1::UpdateChunk c;
    c.set_round(binding.round);
    c.set_index(i);
    c.set_final(final);
    c.set_ciphertext(ToString(*ct));
    s.chunks.push_back(c);
  }
  return s;
}

class UpdateIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<crypto::X25519KeyPair>(*crypto::X25519KeyPair::Generate());
    layout_.tensor_names = {"w", "b"};
    layout_.num_params = 5;
    strategy_.Reset({1, 1, 1, 1, 1});
    // A baseline update so that "unchanged" compares a real aggregate.
    auto s = Seal(pk(), Binding("carol"), Header{}, {1, 2, 3, 4, 5});
    auto r = Run(s, Context("carol"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    baseline_ = *strategy_.Finalize();
  }

  ByteSpan pk() const { return key_->public_key(); }
  static crypto::StreamBinding Binding(const std::string& id, uint64_t round = 3) {
    return {"fed", round, id};
  }
  static IngestContext Context(const std::string& id, uint64_t round = 3) {
    return {"fed", round, id, 1000};
  }

  // Feeds every chunk; returns the digest on success or the first error.
  Result<Bytes> Run(const SealedStream& s, IngestContext ctx) {
    auto ingest = UpdateIngest::Begin(*key_, s.enc, std::move(ctx), layout_, strategy_);
    if (!ingest.ok()) return ingest.status();
    for (const auto& c : s.chunks) {
      auto done = (*ingest)->AddChunk(c);
      if (!done.ok()) {
        // Spent: the same error again, and nothing staged.
        EXPECT_EQ((*ingest)->AddChunk(c).status().reason(), done.status().reason());
        EXPECT_EQ(strategy_.in_flight(), 0u);
        return done.status();
      }
      if (*done) return (*ingest)->digest();
    }
    return Status::Internal("test.incomplete", "stream ended without final chunk");
  }

  // Runs `s` expecting rejection with `reason` and an unchanged aggregate.
  void ExpectRejected(const SealedStream& s, IngestContext ctx, const std::string& reason) {
    auto r = Run(s, std::move(ctx));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), reason) << r.status().ToString();
    EXPECT_EQ(*strategy_.Finalize(), baseline_);
    EXPECT_EQ(strategy_.committed_updates(), 1u);
    EXPECT_EQ(strategy_.in_flight(), 0u);
  }

  std::unique_ptr<crypto::X25519KeyPair> key_;
  ModelLayout layout_;
  FedAvg strategy_;
  std::vector<float> baseline_;
};

TEST_F(UpdateIngestTest, SealedStreamOpensAndIsCommitted) {
  Header h;
  h.num_examples = 30;
  auto s = Seal(pk(), Binding("alice"), h, {-1, -1, -1, -1, -1}, 3);
  auto digest = Run(s, Context("alice"));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();

  crypto::Hasher hasher(crypto::HashAlg::kSha256);
  hasher.Update(s.enc);
  for (const auto& c : s.chunks) hasher.Update(AsBytes(c.ciphertext()));
  EXPECT_EQ(*digest, hasher.Finish());

  // (10 * {1..5} + 30 * -1) / 40 added to 1.
  auto out = *strategy_.Finalize();
  EXPECT_FLOAT_EQ(out[0], 1.0f + (10.0f - 30.0f) / 40.0f);
  EXPECT_FLOAT_EQ(out[4], 1.0f + (50.0f - 30.0f) / 40.0f);
  EXPECT_EQ(strategy_.committed_updates(), 2u);
}

TEST_F(UpdateIngestTest, StreamForAnotherRoundIsRejected) {
  auto s = Seal(pk(), Binding("alice", /*round=*/2), Header{}, {1, 1, 1, 1, 1});
  for (auto& c : s.chunks) c.set_round(3);  // relabelled as the open round
  ExpectRejected(s, Context("alice", 3), "update.open_failed");
  // Left with its own label, the chunk's round field gives it away first.
  auto t = Seal(pk(), Binding("alice", 2), Header{}, {1, 1, 1, 1, 1});
  ExpectRejected(t, Context("alice", 3), "round.wrong_round");
}

TEST_F(UpdateIngestTest, StreamOfAnotherParticipantIsRejected) {
  auto s = Seal(pk(), Binding("bob"), Header{}, {1, 1, 1, 1, 1});
  ExpectRejected(s, Context("alice"), "update.open_failed");
}

TEST_F(UpdateIngestTest, TamperedChunkIsRejected) {
  auto s = Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, 1, 1});
  std::string ct = s.chunks[2].ciphertext();
  ct[0] ^= 0x01;
  s.chunks[2].set_ciphertext(ct);
  ExpectRejected(s, Context("alice"), "update.open_failed");
}

TEST_F(UpdateIngestTest, DroppedOrFlippedFinalChunkIsRejected) {
  auto s = Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, 1, 1});
  s.chunks.erase(s.chunks.begin() + 1);
  ExpectRejected(s, Context("alice"), "update.out_of_order");

  auto t = Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, 1, 1});
  t.chunks[1].set_final(true);  // claims an early end
  ExpectRejected(t, Context("alice"), "update.open_failed");
}

TEST_F(UpdateIngestTest, NonFiniteValuesAreRejected) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ExpectRejected(Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, nan, 1}), Context("alice"),
                 "update.non_finite");
  ExpectRejected(Seal(pk(), Binding("alice"), Header{}, {-inf, 1, 1, 1, 1}), Context("alice"),
                 "update.non_finite");
}

TEST_F(UpdateIngestTest, WrongShapeIsRejected) {
  Header h;
  h.num_params = 6;
  ExpectRejected(Seal(pk(), Binding("alice"), h, {1, 1, 1, 1, 1, 1}), Context("alice"),
                 "update.wrong_shape");
  Header names;
  names.names = {"b", "w"};
  ExpectRejected(Seal(pk(), Binding("alice"), names, {1, 1, 1, 1, 1}), Context("alice"),
                 "update.wrong_shape");
  // The header claims 5 values, the stream carries 4 or 6.
  ExpectRejected(Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, 1}), Context("alice"),
                 "update.wrong_shape");
  ExpectRejected(Seal(pk(), Binding("alice"), Header{}, {1, 1, 1, 1, 1, 1}), Context("alice"),
                 "update.wrong_shape");
}

TEST_F(UpdateIngestTest, ExampleCountOutsideBoundsIsRejected) {
  Header zero;
  zero.num_examples = 0;
  ExpectRejected(Seal(pk(), Binding("alice"), zero, {1, 1, 1, 1, 1}), Context("alice"),
                 "update.bad_example_count");
  Header many;
  many.num_examples = 1001;
  ExpectRejected(Seal(pk(), Binding("alice"), many, {1, 1, 1, 1, 1}), Context("alice"),
                 "update.bad_example_count");
}

TEST_F(UpdateIngestTest, MalformedPlaintextIsRejected) {
  auto sealer = crypto::ChunkSealer::Create(pk(), Binding("alice"));
  ASSERT_TRUE(sealer.ok());
  SealedStream s;
  s.enc = sealer->enc();
  Bytes garbage = {0xff, 0xff, 0xff};
  v1::UpdateChunk c;
  c.set_round(3);
  c.set_index(0);
  c.set_final(true);
  c.set_ciphertext(ToString(*sealer->SealChunk(garbage, true)));
  s.chunks.push_back(c);
  ExpectRejected(s, Context("alice"), "update.malformed");
}

TEST_F(UpdateIngestTest, UnusableEncIsRejectedAtStart) {
  auto r = UpdateIngest::Begin(*key_, Bytes(5, 0), Context("alice"), layout_, strategy_);
  EXPECT_EQ(r.status().reason(), "update.open_failed");
}

}  // namespace
}  // namespace fedtee::aggregator
