// Tests for crypto/chunk_stream.h: every named error and the byte layout of info and AAD.
#include "crypto/chunk_stream.h"

#include <gtest/gtest.h>

#include <vector>

namespace fedtee::crypto {
namespace {

const StreamBinding kBinding{"fed-hospitals", 7, "participant-a"};

struct Sealed {
  Bytes enc;
  std::vector<Bytes> chunks;  // chunk i; the last one is final
};

// Seals `n` chunks of distinct contents; the last is final (and `last_empty` makes it 0 bytes).
Sealed SealStream(const X25519KeyPair& key, const StreamBinding& binding, int n,
                  bool last_empty = false) {
  auto sealer = ChunkSealer::Create(key.public_key(), binding);
  EXPECT_TRUE(sealer.ok()) << sealer.status().ToString();
  Sealed s{sealer->enc(), {}};
  for (int i = 0; i < n; ++i) {
    bool final = i == n - 1;
    Bytes pt = (final && last_empty) ? Bytes{} : Bytes(100 + i, static_cast<uint8_t>(i));
    auto c = sealer->SealChunk(pt, final);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    s.chunks.push_back(*c);
  }
  return s;
}

class ChunkStreamTest : public ::testing::Test {
 protected:
  ChunkOpener Opener(const Sealed& s, const StreamBinding& binding = kBinding) {
    auto o = ChunkOpener::Create(key_, s.enc, binding);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return std::move(*o);
  }
  X25519KeyPair key_ = *X25519KeyPair::Generate();
};

TEST_F(ChunkStreamTest, RoundTripInOrder) {
  Sealed s = SealStream(key_, kBinding, 5);
  ChunkOpener o = Opener(s);
  EXPECT_EQ(o.Finish().reason(), "chunk.truncated");
  for (int i = 0; i < 5; ++i) {
    auto pt = o.OpenChunk(i, i == 4, s.chunks[i]);
    ASSERT_TRUE(pt.ok()) << pt.status().ToString();
    EXPECT_EQ(*pt, Bytes(100 + i, static_cast<uint8_t>(i)));
  }
  EXPECT_TRUE(o.finished());
  EXPECT_TRUE(o.Finish().ok());
  EXPECT_EQ(o.next_index(), 5u);
}

TEST_F(ChunkStreamTest, SpanApiRoundTrip) {
  auto sealer = ChunkSealer::Create(key_.public_key(), kBinding);
  ASSERT_TRUE(sealer.ok());
  auto opener = ChunkOpener::Create(key_, sealer->enc(), kBinding);
  ASSERT_TRUE(opener.ok());
  Bytes pt(1 << 20, 0x42), ct(pt.size() + kChunkTagSize), back(pt.size());
  for (int i = 0; i < 3; ++i) {
    pt[0] = static_cast<uint8_t>(i);
    ASSERT_TRUE(sealer->SealChunkInto(pt, i == 2, ct).ok());
    ASSERT_TRUE(opener->OpenChunkInto(i, i == 2, ct, back).ok());
    EXPECT_EQ(back, pt);
  }
  EXPECT_TRUE(opener->Finish().ok());
  Bytes three(3);
  EXPECT_EQ(sealer->SealChunkInto(pt, true, three).reason(), "chunk.after_final");
  Bytes small(10);
  auto s2 = ChunkSealer::Create(key_.public_key(), kBinding);
  Bytes too_small(small.size());
  EXPECT_EQ(s2->SealChunkInto(small, false, too_small).reason(), "chunk.bad_length");
  EXPECT_EQ(s2->next_index(), 0u);
}

TEST_F(ChunkStreamTest, EmptyFinalChunkIsAllowed) {
  Sealed s = SealStream(key_, kBinding, 3, /*last_empty=*/true);
  EXPECT_EQ(s.chunks.back().size(), kChunkTagSize);
  ChunkOpener o = Opener(s);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(o.OpenChunk(i, i == 2, s.chunks[i]).ok());
  EXPECT_TRUE(o.Finish().ok());
  // A stream that is only one empty final chunk.
  Sealed only = SealStream(key_, kBinding, 1, /*last_empty=*/true);
  ChunkOpener o2 = Opener(only);
  auto pt = o2.OpenChunk(0, true, only.chunks[0]);
  ASSERT_TRUE(pt.ok());
  EXPECT_TRUE(pt->empty());
  EXPECT_TRUE(o2.Finish().ok());
}

TEST_F(ChunkStreamTest, DroppedChunkIsAGap) {
  Sealed s = SealStream(key_, kBinding, 4);
  ChunkOpener o = Opener(s);
  ASSERT_TRUE(o.OpenChunk(0, false, s.chunks[0]).ok());
  Status st = o.OpenChunk(2, false, s.chunks[2]).status();
  EXPECT_EQ(st.reason(), "chunk.gap");
  EXPECT_EQ(st.code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(IsChunkOrderError(st));
  // Presenting chunk 2's bytes under the expected index 1 does not authenticate either.
  EXPECT_EQ(o.OpenChunk(1, false, s.chunks[2]).status().reason(), "chunk.auth_failed");
  EXPECT_EQ(o.next_index(), 1u);
}

TEST_F(ChunkStreamTest, ReorderedChunksFail) {
  Sealed s = SealStream(key_, kBinding, 3);
  ChunkOpener o = Opener(s);
  EXPECT_EQ(o.OpenChunk(1, false, s.chunks[1]).status().reason(), "chunk.gap");
  // Swapped payloads under in-order indexes fail authentication.
  EXPECT_EQ(o.OpenChunk(0, false, s.chunks[1]).status().reason(), "chunk.auth_failed");
  // Nothing advanced: the genuine order still works.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(o.OpenChunk(i, i == 2, s.chunks[i]).ok());
  EXPECT_TRUE(o.Finish().ok());
}

TEST_F(ChunkStreamTest, DuplicatedChunkIsRejected) {
  Sealed s = SealStream(key_, kBinding, 3);
  ChunkOpener o = Opener(s);
  ASSERT_TRUE(o.OpenChunk(0, false, s.chunks[0]).ok());
  ASSERT_TRUE(o.OpenChunk(1, false, s.chunks[1]).ok());
  Status st = o.OpenChunk(1, false, s.chunks[1]).status();
  EXPECT_EQ(st.reason(), "chunk.duplicate");
  EXPECT_TRUE(IsChunkOrderError(st));
  EXPECT_EQ(o.OpenChunk(0, false, s.chunks[0]).status().reason(), "chunk.duplicate");
  // Replaying an old chunk's bytes under the next index fails authentication.
  EXPECT_EQ(o.OpenChunk(2, true, s.chunks[1]).status().reason(), "chunk.auth_failed");
  ASSERT_TRUE(o.OpenChunk(2, true, s.chunks[2]).ok());
}

TEST_F(ChunkStreamTest, ChunkAfterFinalIsRejected) {
  // The sender cannot seal past the final chunk ...
  auto sealer = ChunkSealer::Create(key_.public_key(), kBinding);
  ASSERT_TRUE(sealer.ok());
  auto c0 = sealer->SealChunk(AsBytes("only"), true);
  ASSERT_TRUE(c0.ok());
  EXPECT_TRUE(sealer->finished());
  Status st = sealer->SealChunk(AsBytes("more"), false).status();
  EXPECT_EQ(st.reason(), "chunk.after_final");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  // ... and the recipient refuses anything after it, even a chunk sealed by a sender that
  // ignored the rule (simulated with a raw HPKE context on the same stream).
  auto opener = ChunkOpener::Create(key_, sealer->enc(), kBinding);
  ASSERT_TRUE(opener.ok());
  ASSERT_TRUE(opener->OpenChunk(0, true, *c0).ok());
  EXPECT_EQ(opener->OpenChunk(1, false, Bytes(40)).status().reason(), "chunk.after_final");
  EXPECT_EQ(opener->OpenChunk(5, true, Bytes(40)).status().reason(), "chunk.after_final");
  EXPECT_EQ(opener->OpenChunk(0, true, *c0).status().reason(), "chunk.duplicate");
  EXPECT_TRUE(opener->Finish().ok());
}

TEST_F(ChunkStreamTest, TruncationIsDetected) {
  Sealed s = SealStream(key_, kBinding, 4);
  ChunkOpener o = Opener(s);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(o.OpenChunk(i, false, s.chunks[i]).ok());
  Status st = o.Finish();
  EXPECT_EQ(st.reason(), "chunk.truncated");
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_FALSE(o.finished());
}

TEST_F(ChunkStreamTest, FlippedFinalFlagFailsAuthentication) {
  Sealed s = SealStream(key_, kBinding, 3);
  ChunkOpener o = Opener(s);
  // Claiming a middle chunk is final (to cut the stream short) fails ...
  EXPECT_EQ(o.OpenChunk(0, true, s.chunks[0]).status().reason(), "chunk.auth_failed");
  ASSERT_TRUE(o.OpenChunk(0, false, s.chunks[0]).ok());
  ASSERT_TRUE(o.OpenChunk(1, false, s.chunks[1]).ok());
  // ... and so does claiming the final chunk is not final (to append more).
  EXPECT_EQ(o.OpenChunk(2, false, s.chunks[2]).status().reason(), "chunk.auth_failed");
  ASSERT_TRUE(o.OpenChunk(2, true, s.chunks[2]).ok());
}

TEST_F(ChunkStreamTest, TamperedChunkFailsAuthentication) {
  Sealed s = SealStream(key_, kBinding, 2);
  for (size_t pos : {size_t{0}, s.chunks[0].size() / 2, s.chunks[0].size() - 1}) {
    ChunkOpener o = Opener(s);
    Bytes t = s.chunks[0];
    t[pos] ^= 0x20;
    Bytes out(t.size() - kChunkTagSize, 0xcc);
    Status st = o.OpenChunkInto(0, false, t, out);
    EXPECT_EQ(st.reason(), "chunk.auth_failed") << pos;
    EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(out, Bytes(out.size(), 0)) << "unauthenticated plaintext must not leak";
  }
  ChunkOpener o = Opener(s);
  EXPECT_EQ(o.OpenChunk(0, false, Bytes(15)).status().reason(), "chunk.malformed");
  Bytes out(1);
  EXPECT_EQ(o.OpenChunkInto(0, false, s.chunks[0], out).reason(), "chunk.bad_length");
}

TEST_F(ChunkStreamTest, StreamMovedToAnotherRoundFails) {
  Sealed s = SealStream(key_, kBinding, 2);
  StreamBinding other = kBinding;
  other.round = 8;
  ChunkOpener o = Opener(s, other);
  EXPECT_EQ(o.OpenChunk(0, false, s.chunks[0]).status().reason(), "chunk.auth_failed");
}

TEST_F(ChunkStreamTest, StreamMovedToAnotherParticipantFails) {
  Sealed s = SealStream(key_, kBinding, 2);
  StreamBinding other = kBinding;
  other.participant_id = "participant-b";
  ChunkOpener o = Opener(s, other);
  EXPECT_EQ(o.OpenChunk(0, false, s.chunks[0]).status().reason(), "chunk.auth_failed");
}

TEST_F(ChunkStreamTest, StreamMovedToAnotherFederationFails) {
  Sealed s = SealStream(key_, kBinding, 2);
  StreamBinding other = kBinding;
  other.federation_id = "fed-banks";
  ChunkOpener o = Opener(s, other);
  EXPECT_EQ(o.OpenChunk(0, false, s.chunks[0]).status().reason(), "chunk.auth_failed");
}

TEST_F(ChunkStreamTest, ChunkFromAnotherStreamFails) {
  // Same binding, another sealing (another enc): chunks do not mix between streams.
  Sealed a = SealStream(key_, kBinding, 2);
  Sealed b = SealStream(key_, kBinding, 2);
  ChunkOpener o = Opener(a);
  ASSERT_TRUE(o.OpenChunk(0, false, a.chunks[0]).ok());
  EXPECT_EQ(o.OpenChunk(1, true, b.chunks[1]).status().reason(), "chunk.auth_failed");
}

TEST_F(ChunkStreamTest, WrongRecipientKeyFails) {
  Sealed s = SealStream(key_, kBinding, 1);
  auto other = ChunkOpener::Create(*X25519KeyPair::Generate(), s.enc, kBinding);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->OpenChunk(0, true, s.chunks[0]).status().reason(), "chunk.auth_failed");
}

TEST_F(ChunkStreamTest, BadBindingAndKeys) {
  EXPECT_EQ(ChunkSealer::Create(key_.public_key(), {"", 1, "p"}).status().reason(),
            "chunk.bad_binding");
  EXPECT_EQ(ChunkSealer::Create(key_.public_key(), {"f", 1, ""}).status().reason(),
            "chunk.bad_binding");
  EXPECT_EQ(ChunkSealer::Create(key_.public_key(), {std::string(kMaxStreamIdSize + 1, 'x'), 1, "p"})
                .status()
                .reason(),
            "chunk.bad_binding");
  EXPECT_EQ(ChunkSealer::Create(Bytes(31), kBinding).status().reason(), "hpke.bad_key");
  EXPECT_EQ(ChunkOpener::Create(key_, Bytes(5), kBinding).status().reason(), "hpke.bad_enc");
}

// The layouts of docs/hpke-chunk-stream.md, byte for byte.
TEST(ChunkStreamLayout, InfoAndAadMatchTheSpec) {
  StreamBinding b{"fed", 0x0102030405060708, "p1"};
  auto info = StreamInfo(b);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(HexEncode(*info), "00000017" + HexEncode(AsBytes("fedtee/v1/update-stream")) +
                                  "00000003" + HexEncode(AsBytes("fed")) + "0102030405060708" +
                                  "00000002" + HexEncode(AsBytes("p1")));
  auto aad = ChunkAad(b, 0x0a0b, true);
  ASSERT_TRUE(aad.ok());
  EXPECT_EQ(HexEncode(*aad), "00000016" + HexEncode(AsBytes("fedtee/v1/update-chunk")) +
                                 "00000003" + HexEncode(AsBytes("fed")) + "0102030405060708" +
                                 "00000002" + HexEncode(AsBytes("p1")) + "0000000000000a0b" + "01");
  auto aad0 = ChunkAad(b, 0, false);
  ASSERT_TRUE(aad0.ok());
  EXPECT_EQ(HexEncode(*aad0).substr(HexEncode(*aad0).size() - 18), "000000000000000000");
}

// A stream sealed by ChunkSealer is plain HPKE: it opens with SetupBaseR + Open using the
// documented info and AADs (what an independent implementation would do).
TEST(ChunkStreamLayout, InteroperatesWithPlainHpke) {
  X25519KeyPair key = *X25519KeyPair::Generate();
  Sealed s = SealStream(key, kBinding, 3);
  auto ctx = SetupBaseR(HpkeSuite{Aead::kAes256Gcm}, s.enc, key, *StreamInfo(kBinding));
  ASSERT_TRUE(ctx.ok());
  for (int i = 0; i < 3; ++i) {
    auto pt = ctx->Open(*ChunkAad(kBinding, i, i == 2), s.chunks[i]);
    ASSERT_TRUE(pt.ok()) << i;
    EXPECT_EQ(*pt, Bytes(100 + i, static_cast<uint8_t>(i)));
  }
}

}  // namespace
}  // namespace fedtee::crypto
