// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes).
//
// These functions never return an error: if the DRBG cannot produce output (it could not be
// seeded), continuing would be unsafe, so they print one line to stderr and abort().
// Thread-safety: safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace fedtee::crypto {

// Returns `n` fresh random bytes. The caller owns the result.
Bytes RandomBytes(size_t n);

// Overwrites every byte of `out` with fresh random bytes.
void FillRandom(std::span<uint8_t> out);

}  // namespace fedtee::crypto
