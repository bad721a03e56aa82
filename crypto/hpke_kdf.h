// Internal to crypto/: HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF "HKDF" in its
// extract-only and expand-only modes, and RFC 9180 §4's LabeledExtract / LabeledExpand.
// Used by the HPKE key schedule and DHKEM. Not for use outside crypto/.
//
// All functions write into caller-owned spans and never keep a copy of their inputs; the
// labeled inputs they assemble are wiped before returning. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::crypto::internal {

inline constexpr size_t kHkdfSha256Size = 32;  // Nh

// PRK = HMAC-SHA256(salt, ikm); an empty salt means HashLen zero bytes (RFC 5869 §2.2).
// `prk` must be 32 bytes. INTERNAL "hpke.kdf" on a library failure.
Status HkdfExtract(ByteSpan salt, ByteSpan ikm, std::span<uint8_t> prk);

// OKM = HKDF-Expand(prk, info, out.size()). out.size() <= 255 * 32 (else INVALID_ARGUMENT
// "hpke.bad_length").
Status HkdfExpand(ByteSpan prk, ByteSpan info, std::span<uint8_t> out);

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm).
Status LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label, ByteSpan ikm,
                      std::span<uint8_t> prk);

// LabeledExpand(prk, label, info, L) =
//   Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L), L = out.size().
Status LabeledExpand(ByteSpan suite_id, ByteSpan prk, std::string_view label, ByteSpan info,
                     std::span<uint8_t> out);

}  // namespace fedtee::crypto::internal
