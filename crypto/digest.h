// SHA-2 digests (one-shot and incremental) and constant-time comparison, over OpenSSL EVP.
// One-shot functions are thread-safe; a Hasher object is not.
#pragma once

#include <memory>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::crypto {

enum class HashAlg { kSha256, kSha384, kSha512 };

// Digest length in bytes: 32, 48, 64.
size_t DigestSize(HashAlg alg);

Bytes Sha256(ByteSpan data);
Bytes Sha384(ByteSpan data);
Bytes Sha512(ByteSpan data);

// Incremental digest, e.g. over a file or a stream of chunks.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  void Update(ByteSpan data);
  // Returns the digest; the Hasher is spent afterwards.
  Bytes Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-384 of a whole file, read in blocks. NOT_FOUND / IO_ERROR as base/file.h.
Result<Bytes> Sha384File(const std::string& path);

// Constant-time equality of two byte strings (lengths are not secret).
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

}  // namespace fedtee::crypto
