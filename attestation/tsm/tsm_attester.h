// The tsm attester: real SEV-SNP and TDX evidence through Linux configfs-tsm (tsm_device.h).
// One Attest() is one report request: create an entry, read `generation`, write the 64
// bytes of REPORT_DATA to inblob, read outblob (and auxblob for SEV-SNP) and provider, read
// `generation` again, remove the entry. If `generation` moved by more than our one write,
// another writer raced us on the entry and the report may bind someone else's data: the
// request fails with attestation.device_error rather than return it.
//
// Evidence produced: provider "sev_guest" -> platform sev-snp, report = outblob (1184
// bytes), aux = auxblob (certificate table; empty if the host supplies none, then the
// verifier needs the VCEK from the operator). Provider "tdx_guest" -> platform tdx,
// report = outblob (quote v4); collateral is not produced here (the verifier gets it).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "attestation/attester.h"
#include "attestation/tsm/tsm_device.h"

namespace fedtee::attestation::tsm {

// "sev_guest" -> kSevSnp, "tdx_guest" -> kTdx (trailing newline ignored);
// UNIMPLEMENTED attestation.unknown_backend otherwise.
Result<Platform> PlatformFromProvider(std::string_view provider);

class TsmAttester final : public Attester {
 public:
  // Probes the device (one empty request entry, created and removed) for its provider.
  // Takes ownership of `device`. Errors: attestation.device_error, or
  // attestation.unknown_backend for a provider fedtee does not know.
  static Result<std::unique_ptr<TsmAttester>> Create(std::unique_ptr<TsmDevice> device);

  Platform platform() const override { return platform_; }

  // One report request as described above. Errors: IO_ERROR attestation.device_error
  // (device failure, empty outblob, a concurrent writer, or a provider that changed since
  // Create). The entry is removed on every path. Thread-safe: requests are serialized.
  Result<Evidence> Attest(const ReportData& report_data) override;

 private:
  TsmAttester(std::unique_ptr<TsmDevice> device, Platform platform);
  std::string NextEntryName();
  Result<Evidence> AttestInEntry(const std::string& name, const ReportData& report_data);

  std::unique_ptr<TsmDevice> device_;
  const Platform platform_;
  std::mutex mu_;
  uint64_t counter_ = 0;
};

}  // namespace fedtee::attestation::tsm
