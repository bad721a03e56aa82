// The verify step for the sim backend: structure, platform certificate chain to the pinned
// simulated root, signature over the report. Knows nothing of policy.
//
// Order of checks (each failure has its own reason, attestation/errors.h):
//   1. the report parses as a SimReport          else attestation.malformed_evidence
//   2. version == 1                              else attestation.unsupported_version
//   3. measurement 48 bytes, report_data 64      else attestation.malformed_evidence
//   4. a platform certificate is present         else attestation.missing_certificate
//   5. it chains to a trusted root at clock time else untrusted_root / chain_broken /
//                                                     cert_expired / cert_not_yet_valid
//   6. the platform key signed the report bytes  else attestation.bad_signature
//   7. the notice is the standard text           else attestation.malformed_evidence
#include <algorithm>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "attestation/errors.h"
#include "attestation/platform_verifiers.h"
#include "attestation/sim/sim_report.h"
#include "attestation/x509.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation {
namespace {

Status Malformed(std::string msg) {
  return Status::Corruption(errors::kMalformedEvidence, "sim report: " + std::move(msg));
}

Result<std::vector<x509::CertPtr>> ParseEach(const std::vector<Bytes>& ders,
                                             const std::string& what) {
  std::vector<x509::CertPtr> out;
  for (size_t i = 0; i < ders.size(); ++i) {
    auto cert = x509::ParseCertificate(ders[i]);
    if (!cert.ok()) return cert.status().Wrap(what + " " + std::to_string(i));
    out.push_back(*cert);
  }
  return out;
}

}  // namespace

Result<Claims> VerifySim(const Evidence& evidence, const VerifyOptions& options) {
  // 1-3: structure.
  fedtee::v1::SimReport report;
  if (evidence.report.empty() ||
      !report.ParseFromArray(evidence.report.data(), static_cast<int>(evidence.report.size()))) {
    return Malformed("the report is not a fedtee.v1.SimReport (" +
                     std::to_string(evidence.report.size()) + " bytes)");
  }
  if (report.version() != sim::kSimReportVersion) {
    return Status::Corruption(errors::kUnsupportedVersion,
                              "sim report version " + std::to_string(report.version()) +
                                  "; this build understands version " +
                                  std::to_string(sim::kSimReportVersion));
  }
  if (report.measurement().size() != sim::kMeasurementSize) {
    return Malformed("measurement is " + std::to_string(report.measurement().size()) +
                     " bytes, expected 48");
  }
  if (report.report_data().size() != kReportDataSize) {
    return Malformed("report_data is " + std::to_string(report.report_data().size()) +
                     " bytes, expected 64");
  }

  // 4-5: the platform certificate and its chain.
  const std::vector<Bytes>& chain_der =
      !evidence.certificates.empty() ? evidence.certificates : options.extra_certs_der;
  if (chain_der.empty()) {
    return Status::NotFound(errors::kMissingCertificate,
                            "sim evidence carries no platform certificate");
  }
  FEDTEE_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> chain,
                          ParseEach(chain_der, "platform certificate"));
  if (options.trusted_roots_der.empty()) {
    return Status::Unauthenticated(
        errors::kUntrustedRoot,
        "no trusted root given: pass the simulated CA's root.pem (policy trusted_roots, or "
        "--root) to verify sim evidence");
  }
  FEDTEE_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> roots,
                          ParseEach(options.trusted_roots_der, "trusted root"));
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Get();
  const x509::CertPtr& leaf = chain.front();
  std::vector<x509::CertPtr> intermediates(chain.begin() + 1, chain.end());
  FEDTEE_RETURN_IF_ERROR(
      x509::VerifyChain(leaf, intermediates, roots, clock.NowUnix()).Wrap("sim platform chain"));

  // 6: the signature, by the key the chain vouches for.
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr key, x509::PublicKey(leaf.get()));
  FEDTEE_RETURN_IF_ERROR(
      x509::VerifySignature(key.get(), EVP_sha384(), evidence.report, evidence.signature)
          .Wrap("sim report signed by '" + x509::SubjectName(leaf.get()) + "'"));

  // 7: authentic; the simulated platform always states what it is.
  if (report.notice() != sim::kSimNotice) {
    return Malformed("the notice must read \"" + std::string(sim::kSimNotice) + "\"");
  }

  Claims claims;
  claims.platform = Platform::kSim;
  claims.hardware_backed = false;
  claims.measurement = ToBytes(report.measurement());
  std::copy(report.report_data().begin(), report.report_data().end(),
            claims.report_data.begin());
  claims.debug = report.debug();
  claims.issued_at = report.issued_at();
  SimClaims sim;
  sim.issued_at = report.issued_at();
  sim.tcb_svn = report.tcb_svn();
  sim.notice = report.notice();
  sim.platform_id = x509::SubjectCommonName(leaf.get());
  claims.sim = std::move(sim);
  return claims;
}

}  // namespace fedtee::attestation
