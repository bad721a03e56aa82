#include "crypto/hpke.h"

#include <openssl/crypto.h>

#include <cstring>
#include <limits>

#include "crypto/aes_gcm.h"
#include "crypto/hpke_kdf.h"
#include "crypto/secret.h"

namespace fedtee::crypto {

using internal::AesGcm;
using internal::kHkdfSha256Size;
using internal::LabeledExpand;
using internal::LabeledExtract;

namespace internal {

struct HpkeContextState {
  HpkeContextState(Aead a, AesGcm c) : aead(a), cipher(std::move(c)) {}
  ~HpkeContextState() { OPENSSL_cleanse(base_nonce.data(), base_nonce.size()); }

  Aead aead;
  AesGcm cipher;  // keyed once; OpenSSL wipes the key schedule when the context is freed
  std::array<uint8_t, kHpkeNonceSize> base_nonce{};
  SecretBytes exporter_secret;
  uint64_t seq = 0;
};

}  // namespace internal

namespace {

using State = internal::HpkeContextState;

constexpr uint8_t kKemSuiteId[] = {'K', 'E', 'M', 0x00, 0x20};
constexpr uint8_t kModeBase = 0x00;
// The last usable sequence number: RFC 9180 stops at 2^96 - 1; a 64-bit counter stops at
// 2^64 - 1, which no context will reach in practice.
constexpr uint64_t kSeqLimit = std::numeric_limits<uint64_t>::max();

// suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2).
std::array<uint8_t, 10> HpkeSuiteId(Aead aead) {
  auto a = static_cast<uint16_t>(aead);
  return {'H',
          'P',
          'K',
          'E',
          0x00,
          0x20,
          0x00,
          0x01,
          static_cast<uint8_t>(a >> 8),
          static_cast<uint8_t>(a)};
}

size_t KeySize(Aead aead) { return aead == Aead::kAes128Gcm ? 16 : 32; }

Status CheckSuite(const HpkeSuite& suite) {
  if (suite.aead != Aead::kAes128Gcm && suite.aead != Aead::kAes256Gcm) {
    return Status::InvalidArgument("hpke.bad_suite",
                                   "unsupported AEAD id " + std::to_string(int(suite.aead)));
  }
  return Status::Ok();
}

// DHKEM ExtractAndExpand: eae_prk = LabeledExtract("", "eae_prk", dh);
// shared_secret = LabeledExpand(eae_prk, "shared_secret", enc || pkR, 32).
Status ExtractAndExpand(ByteSpan dh, ByteSpan enc, ByteSpan pk_r, SecretBytes& shared_secret) {
  SecretBytes eae_prk(kHkdfSha256Size);
  FEDTEE_RETURN_IF_ERROR(LabeledExtract(kKemSuiteId, {}, "eae_prk", dh, eae_prk.mutable_span()));
  uint8_t kem_context[2 * kX25519KeySize];
  std::memcpy(kem_context, enc.data(), kX25519KeySize);
  std::memcpy(kem_context + kX25519KeySize, pk_r.data(), kX25519KeySize);
  shared_secret = SecretBytes(kHkdfSha256Size);
  return LabeledExpand(kKemSuiteId, eae_prk.span(), "shared_secret", kem_context,
                       shared_secret.mutable_span());
}

Status Encap(ByteSpan pk_r, const X25519KeyPair& ephemeral, SecretBytes& shared_secret) {
  SecretBytes dh(kX25519KeySize);
  FEDTEE_RETURN_IF_ERROR(ephemeral.Dh(pk_r, dh.mutable_span(), "hpke.bad_key"));
  return ExtractAndExpand(dh.span(), ephemeral.public_key(), pk_r, shared_secret);
}

Status Decap(ByteSpan enc, const X25519KeyPair& sk_r, SecretBytes& shared_secret) {
  SecretBytes dh(kX25519KeySize);
  FEDTEE_RETURN_IF_ERROR(sk_r.Dh(enc, dh.mutable_span(), "hpke.bad_enc"));
  return ExtractAndExpand(dh.span(), enc, sk_r.public_key(), shared_secret);
}

struct Schedule {
  SecretBytes key;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
};

// RFC 9180 §5.1 KeySchedule for mode_base (psk = psk_id = "").
Status KeyScheduleBase(Aead aead, ByteSpan shared_secret, ByteSpan info, Schedule& out) {
  auto suite_id = HpkeSuiteId(aead);
  uint8_t context[1 + 2 * kHkdfSha256Size];  // mode || psk_id_hash || info_hash
  context[0] = kModeBase;
  FEDTEE_RETURN_IF_ERROR(
      LabeledExtract(suite_id, {}, "psk_id_hash", {}, {context + 1, kHkdfSha256Size}));
  FEDTEE_RETURN_IF_ERROR(LabeledExtract(suite_id, {}, "info_hash", info,
                                        {context + 1 + kHkdfSha256Size, kHkdfSha256Size}));
  SecretBytes secret(kHkdfSha256Size);
  FEDTEE_RETURN_IF_ERROR(
      LabeledExtract(suite_id, shared_secret, "secret", {}, secret.mutable_span()));
  out.key = SecretBytes(KeySize(aead));
  out.base_nonce = SecretBytes(kHpkeNonceSize);
  out.exporter_secret = SecretBytes(kHkdfSha256Size);
  FEDTEE_RETURN_IF_ERROR(
      LabeledExpand(suite_id, secret.span(), "key", context, out.key.mutable_span()));
  FEDTEE_RETURN_IF_ERROR(
      LabeledExpand(suite_id, secret.span(), "base_nonce", context, out.base_nonce.mutable_span()));
  return LabeledExpand(suite_id, secret.span(), "exp", context, out.exporter_secret.mutable_span());
}

Result<std::unique_ptr<State>> MakeState(Aead aead, Schedule& schedule,
                                         AesGcm::Direction direction) {
  FEDTEE_ASSIGN_OR_RETURN(AesGcm cipher, AesGcm::Create(schedule.key.span(), direction));
  auto state = std::make_unique<State>(aead, std::move(cipher));
  std::memcpy(state->base_nonce.data(), schedule.base_nonce.data(), kHpkeNonceSize);
  state->exporter_secret = std::move(schedule.exporter_secret);
  return state;
}

// nonce = base_nonce XOR I2OSP(seq, Nn).
void ComputeNonce(const State& s, uint8_t nonce[kHpkeNonceSize]) {
  std::memcpy(nonce, s.base_nonce.data(), kHpkeNonceSize);
  for (int i = 0; i < 8; ++i) {
    nonce[kHpkeNonceSize - 1 - i] ^= static_cast<uint8_t>(s.seq >> (8 * i));
  }
}

Status CheckSeq(const State& s) {
  if (s.seq >= kSeqLimit) {
    return Status::OutOfRange("hpke.seq_overflow", "HPKE context sequence number exhausted");
  }
  return Status::Ok();
}

Result<Bytes> Export(const State& s, ByteSpan exporter_context, size_t length) {
  if (length == 0 || length > 255 * kHkdfSha256Size) {
    return Status::InvalidArgument("hpke.bad_length", "export length must be 1..8160");
  }
  Bytes out(length);
  FEDTEE_RETURN_IF_ERROR(
      LabeledExpand(HpkeSuiteId(s.aead), s.exporter_secret.span(), "sec", exporter_context, out));
  return out;
}

Status SealWith(State& s, ByteSpan aad, ByteSpan pt, std::span<uint8_t> out) {
  FEDTEE_RETURN_IF_ERROR(CheckSeq(s));
  uint8_t nonce[kHpkeNonceSize];
  ComputeNonce(s, nonce);
  FEDTEE_RETURN_IF_ERROR(s.cipher.Seal(nonce, aad, pt, out));
  ++s.seq;
  return Status::Ok();
}

Status OpenWith(State& s, ByteSpan aad, ByteSpan ct, std::span<uint8_t> out) {
  FEDTEE_RETURN_IF_ERROR(CheckSeq(s));
  uint8_t nonce[kHpkeNonceSize];
  ComputeNonce(s, nonce);
  FEDTEE_RETURN_IF_ERROR(s.cipher.Open(nonce, aad, ct, out));
  ++s.seq;
  return Status::Ok();
}

}  // namespace

Result<X25519KeyPair> DeriveKeyPair(ByteSpan ikm) { return X25519KeyPair::Derive(ikm); }

// ---- HpkeSenderContext ----

HpkeSenderContext::HpkeSenderContext(std::unique_ptr<State> state) : state_(std::move(state)) {}
HpkeSenderContext::HpkeSenderContext(HpkeSenderContext&&) noexcept = default;
HpkeSenderContext& HpkeSenderContext::operator=(HpkeSenderContext&&) noexcept = default;
HpkeSenderContext::~HpkeSenderContext() = default;

Result<Bytes> HpkeSenderContext::Seal(ByteSpan aad, ByteSpan pt) {
  Bytes out(pt.size() + kHpkeTagSize);
  FEDTEE_RETURN_IF_ERROR(SealWith(*state_, aad, pt, out));
  return out;
}

Status HpkeSenderContext::SealInto(ByteSpan aad, ByteSpan pt, std::span<uint8_t> out) {
  return SealWith(*state_, aad, pt, out);
}

Result<Bytes> HpkeSenderContext::Export(ByteSpan exporter_context, size_t L) const {
  return crypto::Export(*state_, exporter_context, L);
}

uint64_t HpkeSenderContext::seq() const { return state_->seq; }
Aead HpkeSenderContext::aead() const { return state_->aead; }
void HpkeSenderContext::SetSeqForTesting(uint64_t seq) { state_->seq = seq; }

// ---- HpkeRecipientContext ----

HpkeRecipientContext::HpkeRecipientContext(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
HpkeRecipientContext::HpkeRecipientContext(HpkeRecipientContext&&) noexcept = default;
HpkeRecipientContext& HpkeRecipientContext::operator=(HpkeRecipientContext&&) noexcept = default;
HpkeRecipientContext::~HpkeRecipientContext() = default;

Result<Bytes> HpkeRecipientContext::Open(ByteSpan aad, ByteSpan ct) {
  if (ct.size() < kHpkeTagSize) {
    return Status::Corruption("hpke.truncated", "ciphertext shorter than the 16-byte tag");
  }
  Bytes out(ct.size() - kHpkeTagSize);
  FEDTEE_RETURN_IF_ERROR(OpenWith(*state_, aad, ct, out));
  return out;
}

Status HpkeRecipientContext::OpenInto(ByteSpan aad, ByteSpan ct, std::span<uint8_t> out) {
  return OpenWith(*state_, aad, ct, out);
}

Result<Bytes> HpkeRecipientContext::Export(ByteSpan exporter_context, size_t L) const {
  return crypto::Export(*state_, exporter_context, L);
}

uint64_t HpkeRecipientContext::seq() const { return state_->seq; }
Aead HpkeRecipientContext::aead() const { return state_->aead; }
void HpkeRecipientContext::SetSeqForTesting(uint64_t seq) { state_->seq = seq; }

// ---- Setup ----

Result<HpkeSetup> SetupBaseS(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info,
                             const X25519KeyPair& ephemeral) {
  FEDTEE_RETURN_IF_ERROR(CheckSuite(suite));
  if (pkR.size() != kX25519KeySize) {
    return Status::InvalidArgument("hpke.bad_key", "recipient public key must be 32 bytes");
  }
  SecretBytes shared_secret;
  FEDTEE_RETURN_IF_ERROR(Encap(pkR, ephemeral, shared_secret));
  Schedule schedule;
  FEDTEE_RETURN_IF_ERROR(KeyScheduleBase(suite.aead, shared_secret.span(), info, schedule));
  FEDTEE_ASSIGN_OR_RETURN(auto state, MakeState(suite.aead, schedule, AesGcm::Direction::kSeal));
  return HpkeSetup{ephemeral.public_key(), HpkeSenderContext(std::move(state))};
}

Result<HpkeSetup> SetupBaseS(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info) {
  FEDTEE_ASSIGN_OR_RETURN(X25519KeyPair ephemeral, X25519KeyPair::Generate());
  return SetupBaseS(suite, pkR, info, ephemeral);
}

Result<HpkeRecipientContext> SetupBaseR(const HpkeSuite& suite, ByteSpan enc,
                                        const X25519KeyPair& skR, ByteSpan info) {
  FEDTEE_RETURN_IF_ERROR(CheckSuite(suite));
  if (enc.size() != kHpkeEncSize) {
    return Status::InvalidArgument("hpke.bad_enc",
                                   "enc must be 32 bytes, got " + std::to_string(enc.size()));
  }
  SecretBytes shared_secret;
  FEDTEE_RETURN_IF_ERROR(Decap(enc, skR, shared_secret));
  Schedule schedule;
  FEDTEE_RETURN_IF_ERROR(KeyScheduleBase(suite.aead, shared_secret.span(), info, schedule));
  FEDTEE_ASSIGN_OR_RETURN(auto state, MakeState(suite.aead, schedule, AesGcm::Direction::kOpen));
  return HpkeRecipientContext(std::move(state));
}

Result<Bytes> SealBase(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info, ByteSpan aad,
                       ByteSpan pt) {
  FEDTEE_ASSIGN_OR_RETURN(HpkeSetup setup, SetupBaseS(suite, pkR, info));
  Bytes out(kHpkeEncSize + pt.size() + kHpkeTagSize);
  std::memcpy(out.data(), setup.enc.data(), kHpkeEncSize);
  FEDTEE_RETURN_IF_ERROR(
      setup.ctx.SealInto(aad, pt, std::span<uint8_t>(out).subspan(kHpkeEncSize)));
  return out;
}

Result<Bytes> OpenBase(const HpkeSuite& suite, const X25519KeyPair& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan enc_and_ct) {
  if (enc_and_ct.size() < kHpkeEncSize + kHpkeTagSize) {
    return Status::Corruption("hpke.truncated", "sealed message shorter than enc + tag");
  }
  FEDTEE_ASSIGN_OR_RETURN(HpkeRecipientContext ctx,
                          SetupBaseR(suite, enc_and_ct.first(kHpkeEncSize), skR, info));
  return ctx.Open(aad, enc_and_ct.subspan(kHpkeEncSize));
}

Result<HpkeKeyScheduleForTesting> KeyScheduleForTesting(const HpkeSuite& suite, ByteSpan enc,
                                                        const X25519KeyPair& skR, ByteSpan info) {
  FEDTEE_RETURN_IF_ERROR(CheckSuite(suite));
  if (enc.size() != kHpkeEncSize) return Status::InvalidArgument("hpke.bad_enc", "enc size");
  SecretBytes shared_secret;
  FEDTEE_RETURN_IF_ERROR(Decap(enc, skR, shared_secret));
  Schedule schedule;
  FEDTEE_RETURN_IF_ERROR(KeyScheduleBase(suite.aead, shared_secret.span(), info, schedule));
  auto copy = [](const SecretBytes& s) { return Bytes(s.span().begin(), s.span().end()); };
  return HpkeKeyScheduleForTesting{copy(shared_secret), copy(schedule.key),
                                   copy(schedule.base_nonce), copy(schedule.exporter_secret)};
}

}  // namespace fedtee::crypto
