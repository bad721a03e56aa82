// A fake Intel: a PCK-shaped certificate chain (root CA -> PCK platform CA -> PCK leaf with
// the SGX extensions: PPID, TCB components, PCESVN, CPUSVN, PCE-ID, FMSPC), a TCB signing
// certificate, root and PCK CRLs, signed TCB info and QE identity JSON, and TDX quotes v4
// signed by a quoting-enclave attestation key certified by the PCK leaf. Lets tests
// exercise every TDX verify path without hardware or recorded collateral.
// NEVER for production. Thread-safety: immutable after Create.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "attestation/claims.h"
#include "base/bytes.h"
#include "base/status.h"
#include "testing/cert_forge.h"

namespace fedtee::fakes {

struct FakeIntelOptions {
  Bytes fmspc = {0x00, 0x90, 0x6E, 0xD5, 0x00, 0x00};  // in the PCK certificate
  Bytes tcb_info_fmspc;                                // in the TCB info; empty = fmspc
  std::array<uint8_t, 16> pck_components = {3, 3, 2, 2, 4, 1, 0, 5};  // rest 0
  uint16_t pck_pcesvn = 11;
  std::array<uint8_t, 16> tee_tcb_svn = {6, 1, 3};  // TDX module SVN 6, major 1, ...
  uint16_t qe_isvsvn = 4;
  bool revoke_pck = false;
  int64_t cert_not_before = 1577836800;   // 2020-01-01
  int64_t cert_not_after = 2524608000;    // 2050-01-01
  int64_t collateral_issue = 1735689600;  // 2025-01-01
  int64_t collateral_next = 1738368000;   // 2025-02-01
};

class FakeIntel {
 public:
  static Result<FakeIntel> Create(const FakeIntelOptions& options = {});

  const FakeIntelOptions& options() const { return options_; }
  const Bytes& root_der() const { return root_der_; }

  // A TDX quote v4 binding `report_data`, with the given TD attributes and RTMR seed.
  Result<Bytes> MakeQuote(const attestation::ReportData& report_data,
                          uint64_t td_attributes = 0x10000000) const;
  // The collateral JSON (tdx_collateral.h shape) for this platform.
  std::string Collateral() const { return collateral_; }
  // The collateral with its TCB info / QE identity documents replaced and re-signed.
  Result<std::string> CollateralWith(const std::string& tcb_info,
                                     const std::string& qe_identity) const;
  // The signed documents as built.
  const std::string& tcb_info() const { return tcb_info_; }
  const std::string& qe_identity() const { return qe_identity_; }

  // The MRSIGNER of the fake quoting enclave (in its report and its identity).
  static Bytes QeMrsigner();

 private:
  FakeIntelOptions options_;
  KeyPtr root_key_, ca_key_, pck_key_, tcb_key_, att_key_;
  CertPtr root_, ca_, pck_, tcb_signer_;
  Bytes root_der_, root_crl_, pck_crl_;
  std::string pck_chain_pem_, tcb_chain_pem_;
  std::string tcb_info_, qe_identity_, collateral_;
};

}  // namespace fedtee::fakes
