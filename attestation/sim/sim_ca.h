// The simulated CA: a self-signed "vendor root" and a platform key certified by it, the
// software stand-in for AMD's ARK/VCEK or Intel's PCK chain. NO HARDWARE PROTECTION: the
// keys are ordinary files, so whoever can read platform.key can forge evidence.
//
// On disk (`fedtee sim-ca init DIR`):
//   DIR/root.key      ECDSA P-384 private key of the root, PKCS#8 PEM, mode 0600
//   DIR/root.pem      the self-signed root certificate; relying parties pin this file
//   DIR/platform.key  ECDSA P-384 private key of the platform, PKCS#8 PEM, mode 0600
//   DIR/platform.pem  the platform certificate, issued by the root
//
// Thread-safety: a SimCa is an immutable value once built; copies share the key material,
// which is wiped (OPENSSL_cleanse) when the last copy goes away.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"

namespace fedtee::attestation::sim {

struct SimCaOptions {
  // Subject CN of the root certificate.
  std::string root_name = "fedtee simulated TEE root (NO HARDWARE PROTECTION)";
  // Subject CN of the platform certificate; reported as SimClaims::platform_id.
  std::string platform_id = "fedtee-sim-platform";
  // Validity of the root and of the platform certificate from "now" (the clock given),
  // in seconds. Both start 60 s before now to tolerate small clock skew.
  int64_t root_validity_seconds = int64_t{10} * 365 * 86400;
  int64_t platform_validity_seconds = int64_t{2} * 365 * 86400;
  // Init only: when DIR already holds a complete, consistent CA, keep it and return OK
  // instead of FAILED_PRECONDITION.
  bool keep_existing = false;
};

class SimCa {
 public:
  // Builds a fresh CA in memory (tests, or Init). INTERNAL on an OpenSSL failure.
  static Result<SimCa> Create(const Clock& clock, const SimCaOptions& options = {});

  // Creates DIR (mode 0700 when it is new) and writes the four files above, keys 0600.
  // FAILED_PRECONDITION "attestation.sim_ca_exists" when any of them already exists (never
  // overwrites a CA), unless options.keep_existing and the existing CA loads.
  // IO_ERROR "file.write" when a file cannot be written.
  static Status Init(const std::filesystem::path& dir, const Clock& clock,
                     const SimCaOptions& options = {});

  // Reads root.pem, platform.pem and platform.key (root.key is not needed to attest).
  // NOT_FOUND "file.not_found" for a missing file; CORRUPTION
  // "attestation.malformed_certificate" / "attestation.malformed_key" for unreadable ones;
  // FAILED_PRECONDITION "attestation.sim_ca_inconsistent" when the platform certificate is
  // not signed by the root or does not match the platform key.
  static Result<SimCa> Load(const std::filesystem::path& dir);

  // Writes the CA's files into an existing DIR (overwriting). Root key only if known.
  Status Save(const std::filesystem::path& dir) const;

  // DER of the root certificate (pin this: VerifyOptions::trusted_roots_der).
  const Bytes& root_cert_der() const { return root_cert_der_; }
  // PEM of the root certificate.
  std::string root_cert_pem() const;
  // DER of the platform certificate (carried in sim evidence).
  const Bytes& platform_cert_der() const { return platform_cert_der_; }
  // The platform private key, PKCS#8 PEM. Secret.
  const std::string& platform_key_pem() const { return *platform_key_pem_; }

  // Assembles a CA from parts (tests: certificates from a different CA, expired ones).
  // Keys are PKCS#8 PEM; `root_key_pem` may be empty.
  static SimCa FromParts(Bytes root_cert_der, Bytes platform_cert_der,
                         std::string platform_key_pem, std::string root_key_pem = {});

 private:
  SimCa() = default;

  Bytes root_cert_der_;
  Bytes platform_cert_der_;
  std::shared_ptr<const std::string> platform_key_pem_;  // wiped on last release
  std::shared_ptr<const std::string> root_key_pem_;      // may hold ""
};

}  // namespace fedtee::attestation::sim
