// A fake AMD: an ARK/ASK/VCEK-shaped certificate chain made by the test itself (RSA
// RSASSA-PSS SHA-384 ARK and ASK, an ECDSA P-384 VCEK carrying the productName, SPL and
// hwID extensions as AMD's KDS issues them), and SEV-SNP reports signed with its VCEK key.
// Lets tests exercise every verify path without hardware or recorded data.
// NEVER for production. Thread-safety: a FakeAmd is immutable after Create.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attestation/claims.h"
#include "attestation/snp/snp_report.h"
#include "base/bytes.h"
#include "base/status.h"
#include "testing/cert_forge.h"

namespace fedtee::fakes {

using attestation::SnpTcb;

// Serializes a report structure into its 1184-byte ABI form (signature fields as given;
// reserved bytes zero). The inverse of snp::ParseSnpReport.
Bytes SerializeSnpReport(const attestation::snp::SnpReport& r);

// A plausible report: version 2, policy 0x30000 (SMT allowed, reserved bit 17), VMPL 0,
// ECDSA P-384, the given TCB (as all four TCB fields) and chip id; other fields patterned.
attestation::snp::SnpReport SampleSnpReport(attestation::snp::SnpProduct product, const SnpTcb& tcb,
                                            const Bytes& chip_id);

struct FakeAmdOptions {
  attestation::snp::SnpProduct product = attestation::snp::SnpProduct::kMilan;
  SnpTcb tcb = {.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115, .fmc = 0};
  // 64 bytes (Turin: 8) written as the VCEK's hwID; empty = a fixed pattern.
  Bytes hw_id;
  int64_t not_before = 1577836800;  // 2020-01-01
  int64_t not_after = 2524608000;   // 2050-01-01
  // Tag mixed into the common names so two fakes are told apart in messages.
  std::string tag = "fake";
};

class FakeAmd {
 public:
  // Makes the keys and the chain (an RSA-2048 ARK/ASK: shorter than AMD's 4096 for speed).
  static Result<FakeAmd> Create(const FakeAmdOptions& options = {});

  const FakeAmdOptions& options() const { return options_; }
  const Bytes& ark_der() const { return ark_der_; }
  const Bytes& ask_der() const { return ask_der_; }
  const Bytes& vcek_der() const { return vcek_der_; }
  EVP_PKEY* vcek_key() const { return vcek_key_.get(); }
  // The chip id the VCEK certifies, padded to the report's 64 bytes.
  Bytes chip_id() const;

  // Another VCEK from this ASK for the same key, with other extensions (e.g. another
  // TCB or hwID, or without some extension: `omit_oid`).
  Result<Bytes> IssueVcek(const SnpTcb& tcb, const Bytes& hw_id, const std::string& omit_oid = "",
                          int64_t not_after = 0) const;
  // An ASK re-issued by this ARK with another validity window, for expiry tests.
  Result<Bytes> IssueAsk(int64_t not_before, int64_t not_after) const;

  // A report for this chip and TCB, signed by the VCEK key.
  Result<Bytes> MakeSignedReport() const;
  // Re-signs `report` (1184 bytes) in place with the VCEK key.
  Status Sign(Bytes& report) const;

 private:
  FakeAmdOptions options_;
  KeyPtr ark_key_, ask_key_, vcek_key_;
  CertPtr ark_, ask_;
  Bytes ark_der_, ask_der_, vcek_der_;
};

}  // namespace fedtee::fakes
