#include "attestation/sim/sim_ca.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <system_error>
#include <utility>

#include "attestation/x509.h"
#include "base/file.h"

namespace fedtee::attestation::sim {
namespace {

constexpr char kRootKey[] = "root.key";
constexpr char kRootCert[] = "root.pem";
constexpr char kPlatformKey[] = "platform.key";
constexpr char kPlatformCert[] = "platform.pem";
constexpr int64_t kBackdateSeconds = 60;

std::shared_ptr<const std::string> WipedOnRelease(std::string secret) {
  return std::shared_ptr<const std::string>(new std::string(std::move(secret)),
                                            [](const std::string* s) {
                                              auto* m = const_cast<std::string*>(s);
                                              if (!m->empty()) OPENSSL_cleanse(m->data(), m->size());
                                              delete m;
                                            });
}

Status Inconsistent(std::string msg) {
  return Status::FailedPrecondition("attestation.sim_ca_inconsistent", std::move(msg));
}

// The platform certificate must be signed by the root and match the platform key.
Status CheckConsistent(const x509::CertPtr& root, const x509::CertPtr& platform,
                       const x509::KeyPtr& platform_key) {
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr root_pub, x509::PublicKey(root.get()));
  if (X509_verify(platform.get(), root_pub.get()) != 1) {
    return Inconsistent("platform.pem is not signed by root.pem");
  }
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr platform_pub, x509::PublicKey(platform.get()));
  if (EVP_PKEY_eq(platform_pub.get(), platform_key.get()) != 1) {
    return Inconsistent("platform.key does not match platform.pem");
  }
  return Status::Ok();
}

}  // namespace

SimCa SimCa::FromParts(Bytes root_cert_der, Bytes platform_cert_der,
                       std::string platform_key_pem, std::string root_key_pem) {
  SimCa ca;
  ca.root_cert_der_ = std::move(root_cert_der);
  ca.platform_cert_der_ = std::move(platform_cert_der);
  ca.platform_key_pem_ = WipedOnRelease(std::move(platform_key_pem));
  ca.root_key_pem_ = WipedOnRelease(std::move(root_key_pem));
  return ca;
}

Result<SimCa> SimCa::Create(const Clock& clock, const SimCaOptions& options) {
  const int64_t start = clock.NowUnix() - kBackdateSeconds;
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr root_key, x509::GenerateEcP384Key());
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr platform_key, x509::GenerateEcP384Key());
  FEDTEE_ASSIGN_OR_RETURN(
      x509::CertPtr root,
      x509::MakeSelfSignedCert(root_key.get(),
                               {.common_name = options.root_name,
                                .not_before = start,
                                .not_after = start + options.root_validity_seconds,
                                .is_ca = true}));
  FEDTEE_ASSIGN_OR_RETURN(
      x509::CertPtr platform,
      x509::IssueCert(platform_key.get(),
                      {.common_name = options.platform_id,
                       .not_before = start,
                       .not_after = start + options.platform_validity_seconds,
                       .is_ca = false},
                      root.get(), root_key.get()));
  FEDTEE_ASSIGN_OR_RETURN(std::string platform_pem, x509::PrivateKeyToPem(platform_key.get()));
  FEDTEE_ASSIGN_OR_RETURN(std::string root_pem, x509::PrivateKeyToPem(root_key.get()));
  SimCa ca = FromParts(x509::CertToDer(root.get()), x509::CertToDer(platform.get()),
                       std::move(platform_pem), std::move(root_pem));
  return ca;
}

Status SimCa::Init(const std::filesystem::path& dir, const Clock& clock,
                   const SimCaOptions& options) {
  std::error_code ec;
  bool any = false, all = true;
  for (const char* name : {kRootKey, kRootCert, kPlatformKey, kPlatformCert}) {
    bool exists = std::filesystem::exists(dir / name, ec);
    any = any || exists;
    all = all && exists;
  }
  if (any) {
    if (options.keep_existing && all) {
      auto existing = Load(dir);
      if (!existing.ok()) return existing.status().Wrap("keeping the existing CA in " + dir.string());
      return Status::Ok();
    }
    return Status::FailedPrecondition(
        "attestation.sim_ca_exists",
        dir.string() + (all ? " already holds a simulated CA; refusing to overwrite it"
                            : " holds part of a simulated CA; remove it or pick another "
                              "directory"));
  }
  if (!std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::create_directories(dir, ec) || ec) {
      return Status::IOError("file.write", "cannot create " + dir.string() + ": " + ec.message());
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  FEDTEE_ASSIGN_OR_RETURN(SimCa ca, Create(clock, options));
  return ca.Save(dir);
}

Status SimCa::Save(const std::filesystem::path& dir) const {
  FEDTEE_ASSIGN_OR_RETURN(x509::CertPtr platform, x509::ParseCertificate(platform_cert_der_));
  if (!root_key_pem_->empty()) {
    FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(dir / kRootKey, *root_key_pem_, 0600));
  }
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(dir / kPlatformKey, *platform_key_pem_, 0600));
  FEDTEE_RETURN_IF_ERROR(WriteFileAtomic(dir / kRootCert, root_cert_pem(), 0644));
  return WriteFileAtomic(dir / kPlatformCert, x509::CertToPem(platform.get()), 0644);
}

Result<SimCa> SimCa::Load(const std::filesystem::path& dir) {
  FEDTEE_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> roots,
                          x509::LoadCertificates(dir / kRootCert));
  FEDTEE_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> platforms,
                          x509::LoadCertificates(dir / kPlatformCert));
  if (roots.size() != 1 || platforms.size() != 1) {
    return Inconsistent("root.pem and platform.pem must hold one certificate each");
  }
  FEDTEE_ASSIGN_OR_RETURN(std::string key_pem, ReadTextFile(dir / kPlatformKey, 1 << 20));
  auto key = x509::ParsePrivateKeyPem(AsBytes(key_pem));
  if (!key.ok()) {
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    return key.status().Wrap("reading " + (dir / kPlatformKey).string());
  }
  FEDTEE_RETURN_IF_ERROR(CheckConsistent(roots[0], platforms[0], *key));
  SimCa ca = FromParts(x509::CertToDer(roots[0].get()), x509::CertToDer(platforms[0].get()),
                       key_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  return ca;
}

std::string SimCa::root_cert_pem() const {
  auto root = x509::ParseCertificate(root_cert_der_);
  return root.ok() ? x509::CertToPem(root->get()) : std::string();
}

}  // namespace fedtee::attestation::sim
