#include "crypto/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace fedtee::crypto::internal {

std::string DrainOpenSslErrors() {
  std::string first;
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    first = buf;
  }
  ERR_clear_error();
  return first;
}

Status OpenSslFailure(std::string reason, std::string_view what) {
  std::string err = DrainOpenSslErrors();
  std::string msg(what);
  if (!err.empty()) msg += ": " + err;
  return Status::Internal(std::move(reason), std::move(msg));
}

std::string PkeyToPem(EVP_PKEY* pkey, bool private_key) {
  // The secure-heap BIO falls back to the normal heap when no secure heap is configured, but
  // still wipes its buffer when freed.
  BioPtr bio(BIO_new(private_key ? BIO_s_secmem() : BIO_s_mem()));
  if (!bio) return {};
  int ok = private_key ? PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0,
                                                       nullptr, nullptr)
                       : PEM_write_bio_PUBKEY(bio.get(), pkey);
  if (ok != 1) {
    DrainOpenSslErrors();
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

namespace {
// Encrypted PEM is not supported: refuse instead of letting OpenSSL prompt on the terminal.
int NoPassword(char*, int, int, void*) { return -1; }
}  // namespace

PkeyPtr PkeyFromPem(std::string_view pem, bool private_key) {
  if (pem.empty() || pem.size() > (1u << 20)) return nullptr;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr);
  if (key == nullptr) DrainOpenSslErrors();
  return PkeyPtr(key);
}

}  // namespace fedtee::crypto::internal
