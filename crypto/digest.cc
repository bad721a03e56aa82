#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <stdexcept>

namespace fedtee::crypto {
namespace {

const EVP_MD* Md(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return EVP_sha256();
    case HashAlg::kSha384: return EVP_sha384();
    case HashAlg::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

Bytes OneShot(HashAlg alg, ByteSpan data) {
  Bytes out(DigestSize(alg));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, Md(alg), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");  // only on allocation failure
  }
  return out;
}

}  // namespace

size_t DigestSize(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  return 0;
}

Bytes Sha256(ByteSpan data) { return OneShot(HashAlg::kSha256, data); }
Bytes Sha384(ByteSpan data) { return OneShot(HashAlg::kSha384, data); }
Bytes Sha512(ByteSpan data) { return OneShot(HashAlg::kSha512, data); }

struct Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  HashAlg alg;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(HashAlg alg) : impl_(std::make_unique<Impl>()) {
  impl_->alg = alg;
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, Md(alg), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(ByteSpan data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

Bytes Hasher::Finish() {
  Bytes out(DigestSize(impl_->alg));
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), &len);
  return out;
}

Result<Bytes> Sha384File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("file.not_found", "cannot open " + path);
  Hasher h(HashAlg::kSha384);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n > 0) h.Update({reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(n)});
  }
  if (in.bad()) return Status::IOError("file.read", "error reading " + path);
  return h.Finish();
}

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fedtee::crypto
