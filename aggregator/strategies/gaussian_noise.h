// Gaussian noise for central differential privacy, drawn inside the aggregator from a
// CSPRNG: AES-256-CTR keystream (OpenSSL EVP) under a key from RAND_priv_bytes, or, for
// tests only, a key derived from a given seed (SHA-256 of it) so draws are reproducible.
// Normals by Box-Muller from 53-bit uniforms. (Floating-point samplers leak through their
// low bits in theory - Mironov 2012; we accept that, as TF Privacy and Opacus do.)
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/status.h"

namespace fedtee::aggregator {

class GaussianNoise {
 public:
  // From the OS-seeded OpenSSL DRBG. INTERNAL "dp.rng_failed" when OpenSSL fails.
  static Result<std::unique_ptr<GaussianNoise>> FromOsRandom();
  // Reproducible: for tests only (never reachable from RoundOpen).
  static std::unique_ptr<GaussianNoise> FromSeed(uint64_t seed);
  ~GaussianNoise();
  GaussianNoise(const GaussianNoise&) = delete;
  GaussianNoise& operator=(const GaussianNoise&) = delete;

  // One N(0, 1) draw.
  double Normal();
  // out[i] += stddev * N(0, 1), independently.
  void AddTo(std::span<double> out, double stddev);

 private:
  explicit GaussianNoise(const uint8_t key[32]);
  uint64_t NextU64();
  void Refill();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<double> spare_;
};

}  // namespace fedtee::aggregator
