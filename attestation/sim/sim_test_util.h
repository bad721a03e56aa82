// Test support for the sim backend: a fixed-clock world with a simulated CA, an attester,
// and a way to sign arbitrary (malformed, tampered) SimReports with the platform key.
// Header-only, used by attestation/*_test.cc and attestation/sim/*_test.cc only.
#pragma once

#include <openssl/evp.h>

#include <memory>

#include "attestation/sim/sim_attester.h"
#include "attestation/sim/sim_ca.h"
#include "attestation/sim/sim_report.h"
#include "attestation/verify.h"
#include "attestation/x509.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation::sim::testing {

inline constexpr int64_t kT0 = 1750000000;  // 2025-06-15T15:06:40Z
inline constexpr int64_t kDay = 86400;

inline Bytes Measurement(uint8_t fill = 0xab) { return Bytes(kMeasurementSize, fill); }

inline ReportData Rd(uint8_t fill = 0x5a) {
  ReportData rd;
  rd.fill(fill);
  return rd;
}

// Re-signs `report` with `ca`'s platform key and returns sim evidence carrying it.
inline Evidence SignReport(const SimCa& ca, const fedtee::v1::SimReport& report) {
  Evidence e;
  e.platform = Platform::kSim;
  e.report = ToBytes(report.SerializeAsString());
  auto key = x509::ParsePrivateKeyPem(AsBytes(ca.platform_key_pem())).value();
  e.signature = x509::Sign(key.get(), EVP_sha384(), e.report).value();
  e.certificates = {ca.platform_cert_der()};
  return e;
}

// A well-formed report as the attester would make it at kT0.
inline fedtee::v1::SimReport GoodReport() {
  fedtee::v1::SimReport r;
  r.set_version(kSimReportVersion);
  r.set_notice(std::string(kSimNotice));
  r.set_measurement(ToString(Measurement()));
  r.set_tcb_svn(3);
  r.set_debug(false);
  ReportData rd = Rd();
  r.set_report_data(std::string(rd.begin(), rd.end()));
  r.set_issued_at(kT0);
  return r;
}

struct SimWorld {
  FakeClock clock{kT0};
  SimCa ca = SimCa::Create(clock).value();

  VerifyOptions Options() const {
    VerifyOptions o;
    o.clock = &clock;
    o.trusted_roots_der = {ca.root_cert_der()};
    return o;
  }
  Evidence Attest(const ReportData& rd = Rd(), uint32_t svn = 3, bool debug = false) {
    SimAttester attester(ca, Measurement(), svn, debug, clock);
    return attester.Attest(rd).value();
  }
};

}  // namespace fedtee::attestation::sim::testing
