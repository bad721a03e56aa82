#include "attestation/sim/sim_attester.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "attestation/sim/sim_report.h"
#include "attestation/x509.h"
#include "crypto/digest.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation::sim {

Result<Bytes> MeasureFile(const std::filesystem::path& path) {
  return crypto::Sha384File(path.string());
}

Result<Bytes> MeasureSelf() { return MeasureFile("/proc/self/exe"); }

SimAttester::SimAttester(SimCa ca, Bytes measurement, uint32_t tcb_svn, bool debug,
                         const Clock& clock)
    : ca_(std::move(ca)),
      measurement_(std::move(measurement)),
      tcb_svn_(tcb_svn),
      debug_(debug),
      clock_(clock) {}

Result<Evidence> SimAttester::Attest(const ReportData& report_data) {
  if (measurement_.size() != kMeasurementSize) {
    return Status::InvalidArgument("attestation.bad_measurement",
                                   "a sim measurement is 48 bytes (SHA-384), got " +
                                       std::to_string(measurement_.size()));
  }
  FEDTEE_ASSIGN_OR_RETURN(x509::KeyPtr key,
                          x509::ParsePrivateKeyPem(AsBytes(ca_.platform_key_pem())));
  fedtee::v1::SimReport report;
  report.set_version(kSimReportVersion);
  report.set_notice(std::string(kSimNotice));
  report.set_measurement(ToString(measurement_));
  report.set_tcb_svn(tcb_svn_);
  report.set_debug(debug_);
  report.set_report_data(ToString(report_data));
  report.set_issued_at(clock_.NowUnix());

  Evidence evidence;
  evidence.platform = Platform::kSim;
  evidence.report = ToBytes(report.SerializeAsString());
  FEDTEE_ASSIGN_OR_RETURN(evidence.signature,
                          x509::Sign(key.get(), EVP_sha384(), evidence.report));
  evidence.certificates.push_back(ca_.platform_cert_der());
  spdlog::warn(
      "SIMULATED attestation: evidence for measurement {}... is signed by a software key; "
      "there is NO hardware protection (use sev-snp or tdx for real deployments)",
      HexEncode(ByteSpan(measurement_).first(8)));
  return evidence;
}

}  // namespace fedtee::attestation::sim
