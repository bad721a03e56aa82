// The attester side: something that can produce evidence binding 64 bytes of REPORT_DATA
// (binding.h) for the workload it runs in. Backends: the software simulation
// (sim/sim_attester.h) and the real TEEs (SEV-SNP, TDX through configfs-tsm).
#pragma once

#include "attestation/claims.h"
#include "attestation/evidence.h"
#include "base/status.h"

namespace fedtee::attestation {

class Attester {
 public:
  virtual ~Attester() = default;

  // The platform whose evidence Attest() produces.
  virtual Platform platform() const = 0;

  // Produces fresh evidence that binds `report_data`. The caller owns the result.
  // Errors: attestation.device_error (IO_ERROR) when the TEE device fails, or a backend
  // specific reason. Thread-safety: implementations say; callers should assume one call
  // at a time per Attester.
  virtual Result<Evidence> Attest(const ReportData& report_data) = 0;
};

}  // namespace fedtee::attestation
