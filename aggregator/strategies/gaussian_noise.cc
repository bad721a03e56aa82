#include "aggregator/strategies/gaussian_noise.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

namespace fedtee::aggregator {

struct GaussianNoise::Impl {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::vector<uint8_t> zeros = std::vector<uint8_t>(4096, 0);
  std::vector<uint8_t> buf = std::vector<uint8_t>(4096, 0);
  size_t pos = 4096;
};

Result<std::unique_ptr<GaussianNoise>> GaussianNoise::FromOsRandom() {
  uint8_t key[32];
  if (RAND_priv_bytes(key, sizeof key) != 1) {
    return Status::Internal("dp.rng_failed", "RAND_priv_bytes failed");
  }
  std::unique_ptr<GaussianNoise> g(new GaussianNoise(key));
  OPENSSL_cleanse(key, sizeof key);
  return g;
}

std::unique_ptr<GaussianNoise> GaussianNoise::FromSeed(uint64_t seed) {
  uint8_t in[8];
  for (int i = 0; i < 8; ++i) in[i] = static_cast<uint8_t>(seed >> (8 * i));
  uint8_t key[32];
  SHA256(in, sizeof in, key);
  return std::unique_ptr<GaussianNoise>(new GaussianNoise(key));
}

GaussianNoise::GaussianNoise(const uint8_t key[32]) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_CIPHER_CTX_new();
  const uint8_t iv[16] = {0};
  EVP_EncryptInit_ex(impl_->ctx, EVP_aes_256_ctr(), nullptr, key, iv);
}

GaussianNoise::~GaussianNoise() {
  if (impl_) {
    EVP_CIPHER_CTX_free(impl_->ctx);
    OPENSSL_cleanse(impl_->buf.data(), impl_->buf.size());
  }
}

void GaussianNoise::Refill() {
  int len = 0;
  EVP_EncryptUpdate(impl_->ctx, impl_->buf.data(), &len, impl_->zeros.data(),
                    static_cast<int>(impl_->zeros.size()));
  impl_->pos = 0;
}

uint64_t GaussianNoise::NextU64() {
  if (impl_->pos + 8 > impl_->buf.size()) Refill();
  uint64_t x;
  std::memcpy(&x, impl_->buf.data() + impl_->pos, 8);
  impl_->pos += 8;
  return x;
}

double GaussianNoise::Normal() {
  if (spare_) {
    const double s = *spare_;
    spare_.reset();
    return s;
  }
  // u1 in (0, 1], u2 in [0, 1), 53 bits each.
  const double u1 = (static_cast<double>(NextU64() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(NextU64() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(a);
  return r * std::cos(a);
}

void GaussianNoise::AddTo(std::span<double> out, double stddev) {
  for (double& x : out) x += stddev * Normal();
}

}  // namespace fedtee::aggregator
