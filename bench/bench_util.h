// Small helpers shared by fedtee's benchmarks: clocks, best-of timing, JSON lines, raw
// AES-256-GCM (the baseline the aggregator is held to), and sealed update streams made the
// way participants make them. Bench-only: nothing here is linked into a product binary.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/chunk_stream.h"
#include "crypto/random.h"
#include "proto/federation.pb.h"

namespace fedtee::bench {

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench: %s failed\n", what);
    std::exit(1);
  }
}
inline void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Wall-clock seconds of `fn` (for anything with threads: their speed-up is wall time).
inline double WallSeconds(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of this thread in `fn`: one-thread figures are not skewed by other processes
// on a shared machine (on an idle one this equals wall time).
inline double ThreadCpuSeconds(const std::function<void()>& fn) {
  timespec t0{}, t1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  fn();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  return double(t1.tv_sec - t0.tv_sec) + double(t1.tv_nsec - t0.tv_nsec) * 1e-9;
}

// One JSON object per line: name, value, unit, and for comparisons baseline and ratio.
struct Line {
  std::string name;
  double value = 0;
  std::string unit;
  bool comparison = false;
  double baseline = 0;
  double ratio = 0;
  std::string note;
};
inline void Print(const Line& l) {
  std::printf("{\"name\":\"%s\",\"value\":%.4g,\"unit\":\"%s\"", l.name.c_str(), l.value,
              l.unit.c_str());
  if (l.comparison) std::printf(",\"baseline\":%.4g,\"ratio\":%.3f", l.baseline, l.ratio);
  if (!l.note.empty()) std::printf(",\"note\":\"%s\"", l.note.c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

// Raw EVP AES-256-GCM keyed once; each message sets only a fresh IV (what HPKE's context
// does per chunk, without HPKE's nonce derivation and AAD).
class RawGcm {
 public:
  RawGcm() : key_(crypto::RandomBytes(32)) {
    enc_ = EVP_CIPHER_CTX_new();
    dec_ = EVP_CIPHER_CTX_new();
    Check(enc_ && dec_ &&
              EVP_EncryptInit_ex(enc_, EVP_aes_256_gcm(), nullptr, key_.data(), nullptr) == 1 &&
              EVP_DecryptInit_ex(dec_, EVP_aes_256_gcm(), nullptr, key_.data(), nullptr) == 1,
          "raw AES-GCM init");
  }
  ~RawGcm() {
    EVP_CIPHER_CTX_free(enc_);
    EVP_CIPHER_CTX_free(dec_);
  }
  RawGcm(const RawGcm&) = delete;
  RawGcm& operator=(const RawGcm&) = delete;

  // Returns pt sealed as ct || 16-byte tag under IV n.
  Bytes Seal(uint64_t n, ByteSpan pt) {
    Bytes out(pt.size() + 16);
    uint8_t iv[12] = {};
    std::memcpy(iv + 4, &n, 8);
    int len = 0;
    Check(EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_EncryptUpdate(enc_, out.data(), &len, pt.data(), int(pt.size())) == 1 &&
              EVP_EncryptFinal_ex(enc_, out.data() + pt.size(), &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_GET_TAG, 16, out.data() + pt.size()) == 1,
          "raw AES-GCM seal");
    return out;
  }
  // Decrypts and verifies ct || tag into out (ct.size() - 16 bytes).
  void Open(uint64_t n, ByteSpan ct, uint8_t* out) {
    uint8_t iv[12] = {};
    std::memcpy(iv + 4, &n, 8);
    int len = 0;
    const size_t pt = ct.size() - 16;
    Check(EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_TAG, 16,
                                  const_cast<uint8_t*>(ct.data() + pt)) == 1 &&
              EVP_DecryptUpdate(dec_, out, &len, ct.data(), int(pt)) == 1 &&
              EVP_DecryptFinal_ex(dec_, out + pt, &len) == 1,
          "raw AES-GCM open");
  }

 private:
  Bytes key_;
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

// Deterministic pseudo-random delta values in about [-0.01, 0.01] (cheap to make).
inline void FillDelta(uint32_t seed, size_t offset, std::span<float> out) {
  uint32_t x = seed * 2654435761u ^ static_cast<uint32_t>(offset * 40503u);
  for (float& f : out) {
    x = x * 1664525u + 1013904223u;
    f = static_cast<float>(static_cast<int32_t>(x >> 9) - (1 << 22)) * (0.01f / (1 << 22));
  }
}

// A participant's update stream sealed chunk by chunk as participant::SealUpdate does it
// (chunk 0 = UpdateHeader, then `chunk_bytes` of float32 per chunk), without holding the
// whole delta: Next() seals and returns the next chunk.
class StreamSource {
 public:
  StreamSource(ByteSpan pk, const crypto::StreamBinding& binding, uint32_t seed,
               uint64_t num_examples, size_t num_params, size_t chunk_bytes)
      : binding_(binding),
        seed_(seed),
        num_examples_(num_examples),
        num_params_(num_params),
        per_chunk_(std::max<size_t>(1, chunk_bytes / 4)) {
    auto s = crypto::ChunkSealer::Create(pk, binding);
    Check(s.status(), "ChunkSealer::Create");
    sealer_.emplace(std::move(*s));
  }
  const Bytes& enc() const { return sealer_->enc(); }
  size_t num_chunks() const { return 1 + (num_params_ + per_chunk_ - 1) / per_chunk_; }
  bool done() const { return sealer_->finished(); }

  v1::UpdateChunk Next() {
    v1::UpdateChunk c;
    const uint64_t i = sealer_->next_index();
    const bool final = i + 1 == num_chunks();
    Bytes pt;
    if (i == 0) {
      v1::UpdateHeader h;
      h.set_num_examples(num_examples_);
      h.set_num_params(num_params_);
      h.add_tensor_names("w");
      pt = ToBytes(h.SerializeAsString());
    } else {
      const size_t off = (i - 1) * per_chunk_;
      const size_t n = std::min(per_chunk_, num_params_ - off);
      values_.resize(n);
      FillDelta(seed_, off, values_);
      pt.resize(n * 4);
      std::memcpy(pt.data(), values_.data(), pt.size());
    }
    std::string ct(pt.size() + crypto::kChunkTagSize, '\0');
    Check(sealer_->SealChunkInto(pt, final, {reinterpret_cast<uint8_t*>(ct.data()), ct.size()}),
          "SealChunkInto");
    c.set_round(binding_.round);
    c.set_index(i);
    c.set_final(final);
    c.set_ciphertext(std::move(ct));
    return c;
  }

  // Every chunk at once (the caller holds the whole sealed stream).
  std::vector<v1::UpdateChunk> All() {
    std::vector<v1::UpdateChunk> out;
    while (!done()) out.push_back(Next());
    return out;
  }

 private:
  crypto::StreamBinding binding_;
  uint32_t seed_;
  uint64_t num_examples_;
  size_t num_params_;
  size_t per_chunk_;
  std::optional<crypto::ChunkSealer> sealer_;
  std::vector<float> values_;
};

}  // namespace fedtee::bench
