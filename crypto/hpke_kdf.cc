#include "crypto/hpke_kdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <optional>

#include "crypto/openssl_util.h"
#include "crypto/secret.h"

namespace fedtee::crypto::internal {
namespace {

constexpr std::string_view kHpkeVersion = "HPKE-v1";

// The fetched HKDF implementation, shared by every call (EVP_KDF objects are immutable and
// reference counted; fetching once avoids a provider lookup per key schedule).
EVP_KDF* Hkdf() {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

Status RunHkdf(int mode, ByteSpan salt, ByteSpan key, ByteSpan info, std::span<uint8_t> out) {
  EVP_KDF* kdf = Hkdf();
  if (kdf == nullptr) return OpenSslFailure("hpke.kdf", "EVP_KDF_fetch(HKDF)");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return OpenSslFailure("hpke.kdf", "EVP_KDF_CTX_new");
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  const_cast<uint8_t*>(key.data()), key.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    const_cast<uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpenSslFailure("hpke.kdf", "HKDF derive");
  }
  return Status::Ok();
}

// "HPKE-v1" || suite_id || label || tail, with an optional 2-byte length prefix.
SecretBytes Labeled(std::optional<uint16_t> length, ByteSpan suite_id, std::string_view label,
                    ByteSpan tail) {
  size_t prefix = length ? 2 : 0;
  SecretBytes buf(prefix + kHpkeVersion.size() + suite_id.size() + label.size() + tail.size());
  uint8_t* p = buf.data();
  if (length) {
    *p++ = static_cast<uint8_t>(*length >> 8);
    *p++ = static_cast<uint8_t>(*length);
  }
  auto put = [&p](ByteSpan b) {
    if (!b.empty()) std::memcpy(p, b.data(), b.size());
    p += b.size();
  };
  put(AsBytes(kHpkeVersion));
  put(suite_id);
  put(AsBytes(label));
  put(tail);
  return buf;
}

}  // namespace

Status HkdfExtract(ByteSpan salt, ByteSpan ikm, std::span<uint8_t> prk) {
  if (prk.size() != kHkdfSha256Size) {
    return Status::Internal("hpke.bad_length", "HKDF-Extract output must be 32 bytes");
  }
  // RFC 5869: an absent salt is HashLen zeros. Pass them explicitly so no library default
  // for an empty HMAC key is relied upon.
  static constexpr uint8_t kZeroSalt[kHkdfSha256Size] = {};
  if (salt.empty()) salt = ByteSpan(kZeroSalt, sizeof(kZeroSalt));
  return RunHkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, {}, prk);
}

Status HkdfExpand(ByteSpan prk, ByteSpan info, std::span<uint8_t> out) {
  if (out.empty() || out.size() > 255 * kHkdfSha256Size) {
    return Status::InvalidArgument("hpke.bad_length", "HKDF-Expand length must be 1.." +
                                                          std::to_string(255 * kHkdfSha256Size));
  }
  return RunHkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, {}, prk, info, out);
}

Status LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label, ByteSpan ikm,
                      std::span<uint8_t> prk) {
  SecretBytes labeled_ikm = Labeled(std::nullopt, suite_id, label, ikm);
  return HkdfExtract(salt, labeled_ikm.span(), prk);
}

Status LabeledExpand(ByteSpan suite_id, ByteSpan prk, std::string_view label, ByteSpan info,
                     std::span<uint8_t> out) {
  if (out.size() > 0xffff) {
    return Status::InvalidArgument("hpke.bad_length", "LabeledExpand length exceeds 2 bytes");
  }
  SecretBytes labeled_info = Labeled(static_cast<uint16_t>(out.size()), suite_id, label, info);
  return HkdfExpand(prk, labeled_info.span(), out);
}

}  // namespace fedtee::crypto::internal
