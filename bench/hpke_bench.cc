// fedtee_bench_hpke: HPKE seal/open throughput next to raw OpenSSL AES-256-GCM on the same
// bytes, the ceiling the aggregator's hot path is held to (ratio >= 0.9).
//
// Figures (one JSON line each, MB = 10^6 bytes):
//   hpke_{seal,open}_1MiB    one HPKE context, SealInto / OpenInto of a 1 MiB message
//   hpke_{seal,open}_64MiB   one HPKE context, a 64 MiB payload as 64 chunks of 1 MiB
//   hpke_singleshot_{seal,open}_{1,64}MiB   SealBase / OpenBase: includes the X25519 KEM,
//                            the key schedule and allocating the output (for reference)
// Baseline: raw EVP AES-256-GCM keyed once, a fresh 12-byte IV per message, same sizes and
// chunking, same buffers. Each figure is the best of several interleaved repetitions, timed
// in thread CPU time (so a busy machine does not skew it; on an idle one it equals wall time).
//
// Usage: fedtee_bench_hpke [--quick]
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "crypto/hpke.h"
#include "crypto/random.h"

namespace {

using fedtee::Bytes;
using fedtee::ByteSpan;
namespace crypto = fedtee::crypto;

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kTag = 16;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fedtee_bench_hpke: %s failed\n", what);
    std::exit(1);
  }
}
void Check(const fedtee::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "fedtee_bench_hpke: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// CPU time of this thread (user + system, including page faults) spent in `fn`. CPU time,
// not wall time, so that other processes competing for the cores do not distort the ratio.
double Seconds(const std::function<void()>& fn) {
  timespec t0{}, t1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  fn();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  return double(t1.tv_sec - t0.tv_sec) + double(t1.tv_nsec - t0.tv_nsec) * 1e-9;
}

// Raw AES-256-GCM, keyed once; each message sets only a new IV.
class RawGcm {
 public:
  explicit RawGcm(bool encrypt) : enc_(encrypt) {
    Bytes key = crypto::RandomBytes(32);
    ctx_ = EVP_CIPHER_CTX_new();
    Check(ctx_ != nullptr && EVP_CipherInit_ex(ctx_, EVP_aes_256_gcm(), nullptr, key.data(),
                                               nullptr, encrypt ? 1 : 0) == 1,
          "raw AES-GCM init");
  }
  ~RawGcm() { EVP_CIPHER_CTX_free(ctx_); }
  RawGcm(const RawGcm&) = delete;
  RawGcm& operator=(const RawGcm&) = delete;

  // out = ct || tag.
  void Seal(uint64_t n, ByteSpan pt, uint8_t* out) {
    uint8_t iv[12] = {};
    std::memcpy(iv + 4, &n, 8);
    int len = 0;
    Check(EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_EncryptUpdate(ctx_, out, &len, pt.data(), static_cast<int>(pt.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx_, out + pt.size(), &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kTag, out + pt.size()) == 1,
          "raw AES-GCM seal");
  }
  void Open(uint64_t n, ByteSpan ct, uint8_t* out) {
    uint8_t iv[12] = {};
    std::memcpy(iv + 4, &n, 8);
    int len = 0;
    size_t pt = ct.size() - kTag;
    Check(EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, kTag,
                                  const_cast<uint8_t*>(ct.data() + pt)) == 1 &&
              EVP_DecryptUpdate(ctx_, out, &len, ct.data(), static_cast<int>(pt)) == 1 &&
              EVP_DecryptFinal_ex(ctx_, out + pt, &len) == 1,
          "raw AES-GCM open");
  }
  // Shares the key with `other` so Open can verify what other.Seal produced.
  void CopyKeyFrom(const RawGcm& other, bool encrypt) {
    Check(EVP_CIPHER_CTX_copy(ctx_, other.ctx_) == 1, "ctx copy");
    Check(EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1,
          "ctx re-init");
  }

 private:
  bool enc_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

struct Figure {
  std::string name;
  double hpke_best = 1e30, raw_best = 1e30;  // seconds
  size_t bytes = 0;
  const char* note = nullptr;
};

void Print(const Figure& f) {
  double value = f.bytes / f.hpke_best / 1e6;
  double baseline = f.bytes / f.raw_best / 1e6;
  std::printf("{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"MB/s\",\"baseline\":%.1f,\"ratio\":%.3f",
              f.name.c_str(), value, baseline, value / baseline);
  if (f.note != nullptr) std::printf(",\"note\":\"%s\"", f.note);
  std::printf("}\n");
  std::fflush(stdout);
}

// Runs `reps` interleaved repetitions of (raw, hpke); `prepare` runs untimed before each.
void Measure(Figure& f, int reps, const std::function<void()>& prepare,
             const std::function<void()>& raw, const std::function<void()>& hpke) {
  for (int r = 0; r < reps; ++r) {
    prepare();
    f.raw_best = std::min(f.raw_best, Seconds(raw));
    f.hpke_best = std::min(f.hpke_best, Seconds(hpke));
  }
}

const crypto::HpkeSuite kSuite{crypto::Aead::kAes256Gcm};
const Bytes kInfo = fedtee::ToBytes("fedtee bench");

// Context API over `total` bytes in 1 MiB chunks (`batch` messages of 1 MiB when total is
// 1 MiB, so the timed region is long enough to read a clock).
void ContextFigures(const crypto::X25519KeyPair& key, size_t total, int batch, int reps,
                    const std::string& suffix) {
  const size_t chunks = total / kMiB;
  const size_t messages = chunks * batch;
  Bytes pt = crypto::RandomBytes(total);
  Bytes ct(chunks * (kMiB + kTag)), raw_ct(chunks * (kMiB + kTag)), out(total);
  auto chunk_pt = [&](size_t i) { return ByteSpan(pt).subspan((i % chunks) * kMiB, kMiB); };
  auto chunk_ct = [&](Bytes& b, size_t i) { return b.data() + (i % chunks) * (kMiB + kTag); };

  // Seal.
  {
    Figure f{"hpke_seal_" + suffix, 1e30, 1e30, messages * kMiB};
    RawGcm raw(true);
    std::vector<crypto::HpkeSetup> setups;
    Measure(
        f, reps,
        [&] {
          setups.clear();
          auto s = crypto::SetupBaseS(kSuite, key.public_key(), kInfo);
          Check(s.status(), "SetupBaseS");
          setups.push_back(std::move(*s));
        },
        [&] {
          for (size_t i = 0; i < messages; ++i) raw.Seal(i, chunk_pt(i), chunk_ct(raw_ct, i));
        },
        [&] {
          auto& ctx = setups[0].ctx;
          for (size_t i = 0; i < messages; ++i) {
            Check(ctx.SealInto({}, chunk_pt(i), {chunk_ct(ct, i), kMiB + kTag}), "SealInto");
          }
        });
    Print(f);
  }

  // Open: ciphertexts sealed once; a fresh recipient context per message group, untimed.
  {
    Figure f{"hpke_open_" + suffix, 1e30, 1e30, messages * kMiB};
    auto s = crypto::SetupBaseS(kSuite, key.public_key(), kInfo);
    Check(s.status(), "SetupBaseS");
    for (size_t i = 0; i < chunks; ++i) {
      Check(s->ctx.SealInto({}, chunk_pt(i), {chunk_ct(ct, i), kMiB + kTag}), "SealInto");
    }
    RawGcm raw_seal(true), raw(false);
    raw.CopyKeyFrom(raw_seal, false);
    for (size_t i = 0; i < chunks; ++i) raw_seal.Seal(i, chunk_pt(i), chunk_ct(raw_ct, i));
    std::vector<crypto::HpkeRecipientContext> contexts;
    Measure(
        f, reps,
        [&] {
          contexts.clear();
          for (int b = 0; b < batch; ++b) {
            auto r = crypto::SetupBaseR(kSuite, s->enc, key, kInfo);
            Check(r.status(), "SetupBaseR");
            contexts.push_back(std::move(*r));
          }
        },
        [&] {
          for (size_t i = 0; i < messages; ++i) {
            raw.Open(i % chunks, {chunk_ct(raw_ct, i), kMiB + kTag},
                     out.data() + (i % chunks) * kMiB);
          }
        },
        [&] {
          for (size_t i = 0; i < messages; ++i) {
            Check(contexts[i / chunks].OpenInto({}, {chunk_ct(ct, i), kMiB + kTag},
                                                {out.data() + (i % chunks) * kMiB, kMiB}),
                  "OpenInto");
          }
        });
    Check(std::equal(out.begin(), out.end(), pt.begin()), "open round trip");
    Print(f);
  }
}

// Single shot: SealBase / OpenBase of the whole payload (KEM + schedule + allocation).
void SingleShotFigures(const crypto::X25519KeyPair& key, size_t total, int batch, int reps,
                       const std::string& suffix) {
  const char* note = "SealBase/OpenBase: includes X25519 KEM, key schedule, output allocation";
  Bytes pt = crypto::RandomBytes(total);
  Bytes raw_ct(total + kTag), out(total);
  std::vector<Bytes> sealed(batch);
  {
    Figure f{"hpke_singleshot_seal_" + suffix, 1e30, 1e30, batch * total, note};
    RawGcm raw(true);
    Measure(
        f, reps,
        [&] {
          for (auto& s : sealed) Bytes().swap(s);
        },
        [&] {
          for (int b = 0; b < batch; ++b) raw.Seal(b, pt, raw_ct.data());
        },
        [&] {
          for (int b = 0; b < batch; ++b) {
            auto s = crypto::SealBase(kSuite, key.public_key(), kInfo, {}, pt);
            Check(s.status(), "SealBase");
            sealed[b] = std::move(*s);
          }
        });
    Print(f);
  }
  {
    Figure f{"hpke_singleshot_open_" + suffix, 1e30, 1e30, batch * total, note};
    RawGcm raw_seal(true), raw(false);
    raw.CopyKeyFrom(raw_seal, false);
    raw_seal.Seal(0, pt, raw_ct.data());
    std::vector<Bytes> opened(batch);
    Measure(
        f, reps,
        [&] {
          for (auto& o : opened) Bytes().swap(o);
        },
        [&] {
          for (int b = 0; b < batch; ++b) raw.Open(0, raw_ct, out.data());
        },
        [&] {
          for (int b = 0; b < batch; ++b) {
            auto o = crypto::OpenBase(kSuite, key, kInfo, {}, sealed[b]);
            Check(o.status(), "OpenBase");
            opened[b] = std::move(*o);
          }
        });
    Check(opened[0] == pt, "single-shot round trip");
    Print(f);
  }
}

// Latency of context setup (KEM + key schedule + AEAD context), the fixed cost single-shot
// calls pay per message. Printed as {"name":..., "value":<us>, "unit":"us"}.
void SetupFigures(const crypto::X25519KeyPair& key, int reps) {
  constexpr int kBatch = 200;
  auto s0 = crypto::SetupBaseS(kSuite, key.public_key(), kInfo);
  Check(s0.status(), "SetupBaseS");
  double best_s = 1e30, best_r = 1e30;
  for (int r = 0; r < reps; ++r) {
    best_s = std::min(best_s, Seconds([&] {
                        for (int i = 0; i < kBatch; ++i) {
                          Check(crypto::SetupBaseS(kSuite, key.public_key(), kInfo).status(),
                                "SetupBaseS");
                        }
                      }));
    best_r =
        std::min(best_r, Seconds([&] {
                   for (int i = 0; i < kBatch; ++i) {
                     Check(crypto::SetupBaseR(kSuite, s0->enc, key, kInfo).status(), "SetupBaseR");
                   }
                 }));
  }
  std::printf("{\"name\":\"hpke_setup_sender\",\"value\":%.1f,\"unit\":\"us\"}\n",
              best_s / kBatch * 1e6);
  std::printf("{\"name\":\"hpke_setup_recipient\",\"value\":%.1f,\"unit\":\"us\"}\n",
              best_r / kBatch * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  int reps = quick ? 3 : 15;
  auto key = crypto::X25519KeyPair::Generate();
  Check(key.status(), "X25519 keygen");
  ContextFigures(*key, kMiB, /*batch=*/32, reps, "1MiB");
  ContextFigures(*key, 64 * kMiB, /*batch=*/1, quick ? 2 : 7, "64MiB");
  SingleShotFigures(*key, kMiB, /*batch=*/32, reps, "1MiB");
  SingleShotFigures(*key, 64 * kMiB, /*batch=*/1, quick ? 2 : 5, "64MiB");
  SetupFigures(*key, quick ? 2 : 5);
  return 0;
}
