// The simulated attester: signs a SimReport with the simulated platform key. NO HARDWARE
// PROTECTION: every Attest() says so in the report (SimReport.notice) and logs a warning.
//
// Evidence produced (proto/evidence.proto, docs/attestation.md):
//   platform = "sim"; report = serialized fedtee.v1.SimReport;
//   signature = ECDSA P-384 / SHA-384 (DER) by the platform key over the report bytes;
//   certificates = [platform certificate DER].
#pragma once

#include <cstdint>
#include <filesystem>

#include "attestation/attester.h"
#include "attestation/sim/sim_ca.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"

namespace fedtee::attestation::sim {

// SHA-384 of a file: the sim measurement of an executable. NOT_FOUND / IO_ERROR as
// base/file.h.
Result<Bytes> MeasureFile(const std::filesystem::path& path);
// SHA-384 of the running executable (/proc/self/exe).
Result<Bytes> MeasureSelf();

class SimAttester final : public Attester {
 public:
  // `ca` provides the platform key and certificate (copied; key material shared, see
  // sim_ca.h). `measurement` must be 48 bytes (MeasureSelf()); Attest() refuses otherwise.
  // `clock` is borrowed and must outlive the attester; it stamps SimReport.issued_at.
  SimAttester(SimCa ca, Bytes measurement, uint32_t tcb_svn, bool debug, const Clock& clock);

  Platform platform() const override { return Platform::kSim; }

  // Signs a fresh SimReport binding `report_data`. INVALID_ARGUMENT
  // "attestation.bad_measurement" for a measurement that is not 48 bytes; CORRUPTION
  // "attestation.malformed_key" when the platform key does not parse. Thread-safe.
  Result<Evidence> Attest(const ReportData& report_data) override;

 private:
  const SimCa ca_;
  const Bytes measurement_;
  const uint32_t tcb_svn_;
  const bool debug_;
  const Clock& clock_;
};

}  // namespace fedtee::attestation::sim
