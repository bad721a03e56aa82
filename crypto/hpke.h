// HPKE (RFC 9180) base mode for fedtee's sealing: KEM DHKEM(X25519, HKDF-SHA256) (0x0020),
// KDF HKDF-SHA256 (0x0001), AEAD AES-128-GCM (0x0001) or AES-256-GCM (0x0002, the default).
// Composed from OpenSSL 3.0 primitives (X25519 derive, EVP_KDF HKDF, EVP AES-GCM); proven
// against the RFC's published test vectors (crypto/hpke_test.cc).
//
// Two ways to use it:
//  - single shot: SealBase / OpenBase, output enc || ciphertext;
//  - a context: SetupBaseS / SetupBaseR, then many Seal/Open calls whose nonces follow the
//    context's sequence number (a sender's k-th Seal must be the recipient's k-th Open).
//    SealInto / OpenInto write into caller buffers and do not allocate; the AES key is set
//    once per context. Large updates go through crypto/chunk_stream.h, built on this.
//
// Error reasons (Status::reason()):
//   hpke.bad_key        INVALID_ARGUMENT  recipient public key / private key malformed
//   hpke.bad_enc        INVALID_ARGUMENT  enc is not 32 bytes or a low-order point
//   hpke.truncated      CORRUPTION        ciphertext shorter than the 16-byte tag
//   hpke.open_failed    UNAUTHENTICATED   tag mismatch: wrong key, info, aad, enc or tampered
//   hpke.seq_overflow   OUT_OF_RANGE      the context has used all its sequence numbers
//   hpke.bad_length     INVALID_ARGUMENT  an output span of the wrong size, an export length
//                                         outside 1..8160
//   hpke.bad_suite      INVALID_ARGUMENT  an AEAD id other than 1 or 2
//   hpke.kdf / hpke.aead / hpke.keygen    INTERNAL  an OpenSSL failure (should not happen)
//
// Thread-safety: free functions are thread-safe. A context is not: use one from one thread
// at a time (the sequence number is its state). Contexts are move-only and wipe their key
// material on destruction.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/x25519.h"

namespace fedtee::crypto {

enum class Aead : uint16_t { kAes128Gcm = 1, kAes256Gcm = 2 };

// The cipher suite. KEM and KDF are fixed (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256).
struct HpkeSuite {
  Aead aead = Aead::kAes256Gcm;  // AEAD; fedtee uses AES-256-GCM everywhere by default
};

inline constexpr uint16_t kHpkeKemX25519Sha256 = 0x0020;
inline constexpr uint16_t kHpkeKdfHkdfSha256 = 0x0001;
inline constexpr size_t kHpkeEncSize = 32;    // Nenc
inline constexpr size_t kHpkeTagSize = 16;    // Nt
inline constexpr size_t kHpkeNonceSize = 12;  // Nn

// RFC 9180 §7.1.3 DeriveKeyPair for DHKEM(X25519, HKDF-SHA256); same as
// X25519KeyPair::Derive.
Result<X25519KeyPair> DeriveKeyPair(ByteSpan ikm);

namespace internal {
struct HpkeContextState;  // key schedule output + AEAD context; defined in hpke.cc
}  // namespace internal

// The sender's side of an HPKE context: seals messages in sequence.
class HpkeSenderContext {
 public:
  // Internal: contexts are made by SetupBaseS.
  explicit HpkeSenderContext(std::unique_ptr<internal::HpkeContextState> state);
  HpkeSenderContext(HpkeSenderContext&&) noexcept;
  HpkeSenderContext& operator=(HpkeSenderContext&&) noexcept;
  ~HpkeSenderContext();

  // Returns ciphertext || tag (pt.size() + 16 bytes, owned by the caller) sealed with nonce
  // base_nonce XOR seq, then increments seq. On error seq is unchanged.
  Result<Bytes> Seal(ByteSpan aad, ByteSpan pt);
  // As Seal, into `out`, which must be exactly pt.size() + 16 bytes ("hpke.bad_length").
  // No allocation; `out` must not overlap `pt` except exactly (in place).
  Status SealInto(ByteSpan aad, ByteSpan pt, std::span<uint8_t> out);
  // RFC 9180 §5.3 secret export: LabeledExpand(exporter_secret, "sec", exporter_context, L).
  // 1 <= L <= 8160, else "hpke.bad_length".
  Result<Bytes> Export(ByteSpan exporter_context, size_t L) const;
  // Number of messages sealed so far (the next message's sequence number).
  uint64_t seq() const;
  Aead aead() const;

  // Test hook: jumps the sequence number (to exercise hpke.seq_overflow). Never use it in
  // production code: reusing a sequence number reuses a nonce.
  void SetSeqForTesting(uint64_t seq);

 private:
  std::unique_ptr<internal::HpkeContextState> state_;
};

// The recipient's side of an HPKE context: opens messages in sequence.
class HpkeRecipientContext {
 public:
  // Internal: contexts are made by SetupBaseR.
  explicit HpkeRecipientContext(std::unique_ptr<internal::HpkeContextState> state);
  HpkeRecipientContext(HpkeRecipientContext&&) noexcept;
  HpkeRecipientContext& operator=(HpkeRecipientContext&&) noexcept;
  ~HpkeRecipientContext();

  // Returns the plaintext of `ct` (ciphertext || tag) opened with nonce base_nonce XOR seq,
  // then increments seq. UNAUTHENTICATED "hpke.open_failed" on a tag mismatch and CORRUPTION
  // "hpke.truncated" if ct is shorter than 16 bytes; on any error seq is unchanged.
  Result<Bytes> Open(ByteSpan aad, ByteSpan ct);
  // As Open, into `out`, which must be exactly ct.size() - 16 bytes ("hpke.bad_length").
  // No allocation. On a tag mismatch `out` is wiped (no unauthenticated plaintext leaks).
  Status OpenInto(ByteSpan aad, ByteSpan ct, std::span<uint8_t> out);
  // As HpkeSenderContext::Export; both sides export the same secrets.
  Result<Bytes> Export(ByteSpan exporter_context, size_t L) const;
  uint64_t seq() const;
  Aead aead() const;

  // Test hook, as HpkeSenderContext::SetSeqForTesting.
  void SetSeqForTesting(uint64_t seq);

 private:
  std::unique_ptr<internal::HpkeContextState> state_;
};

struct HpkeSetup {
  Bytes enc;  // the encapsulated key (32 bytes); send it to the recipient with the messages
  HpkeSenderContext ctx;
};

// RFC 9180 SetupBaseS: encapsulates to `pkR` (32 raw bytes) with a fresh ephemeral key and
// runs the key schedule with `info`. INVALID_ARGUMENT "hpke.bad_key" for a malformed pkR.
Result<HpkeSetup> SetupBaseS(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info);
// As above with a caller-chosen ephemeral key (skE); deterministic, for test vectors only.
// Reusing an ephemeral key across messages breaks HPKE's security.
Result<HpkeSetup> SetupBaseS(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info,
                             const X25519KeyPair& ephemeral);

// RFC 9180 SetupBaseR: decapsulates `enc` with skR and runs the key schedule with `info`.
// INVALID_ARGUMENT "hpke.bad_enc" for an enc that is not a usable X25519 public key. A wrong
// skR or info is not detected here: the first Open fails with "hpke.open_failed".
Result<HpkeRecipientContext> SetupBaseR(const HpkeSuite& suite, ByteSpan enc,
                                        const X25519KeyPair& skR, ByteSpan info);

// Single shot: SetupBaseS + one Seal. Returns enc (32 bytes) || ciphertext || tag.
Result<Bytes> SealBase(const HpkeSuite& suite, ByteSpan pkR, ByteSpan info, ByteSpan aad,
                       ByteSpan pt);
// Single shot: splits enc || ciphertext, SetupBaseR + one Open. CORRUPTION "hpke.truncated"
// if shorter than 32 + 16 bytes; otherwise errors as SetupBaseR and Open.
Result<Bytes> OpenBase(const HpkeSuite& suite, const X25519KeyPair& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan enc_and_ct);

// Test hook exposing the key schedule of a recipient context (RFC 9180 §5.1 values), so the
// published vectors can be checked value by value. Never log these.
struct HpkeKeyScheduleForTesting {
  Bytes shared_secret, key, base_nonce, exporter_secret;
};
Result<HpkeKeyScheduleForTesting> KeyScheduleForTesting(const HpkeSuite& suite, ByteSpan enc,
                                                        const X25519KeyPair& skR, ByteSpan info);

}  // namespace fedtee::crypto
