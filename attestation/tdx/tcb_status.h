// Intel's TCB status rules for a TDX quote, from signed collateral (Intel "Quote
// Verification Library", TDX TCB info v3; the same rules as SGX-TDX-DCAP-QVL):
//   1. Platform level: the FIRST entry of tcbInfo.tcbLevels (they are ordered highest first)
//      such that every sgxtcbcomponents[i].svn <= the PCK certificate's CPUSVN component i,
//      pcesvn <= the PCK certificate's PCESVN, and every tdxtcbcomponents[i].svn <=
//      TEE_TCB_SVN[i]; components 0 and 1 are skipped when TEE_TCB_SVN[1] (the TDX module's
//      major version) is not 0, since the module identity grades them. No entry: status
//      "TcbNotSupported".
//   2. TDX module: when TEE_TCB_SVN[1] != 0, the identity "TDX_%02X" of that major version
//      must exist and its mrsigner / attributes (masked) must equal MRSIGNERSEAM /
//      SEAM_ATTRIBUTES; its level is the first with isvsvn <= TEE_TCB_SVN[0]. When 0, the
//      default tdxModule entry's mrsigner / attributes must match and it adds no status.
//   3. QE identity: the QE report's MRSIGNER, ISVPRODID and masked MISCSELECT / ATTRIBUTES
//      must match; its level is the first with isvsvn <= the QE report's ISVSVN.
//   4. Convergence: a module or QE level that is "OutOfDate" turns UpToDate /
//      SWHardeningNeeded into "OutOfDate", and ConfigurationNeeded /
//      ConfigurationAndSWHardeningNeeded into "OutOfDateConfigurationNeeded"; "Revoked"
//      anywhere is "Revoked". Advisory ids of all contributing levels are collected.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "attestation/tdx/pck_extensions.h"
#include "attestation/tdx/tcb_info.h"
#include "attestation/tdx/tdx_quote.h"
#include "base/status.h"

namespace fedtee::attestation::tdx {

struct TcbVerdict {
  std::string status;
  std::vector<std::string> advisory_ids;
};

// Steps 1, 2 and 4 (with the QE status from QeStatus). UNAUTHENTICATED
// attestation.qe_identity_mismatch when the TDX module identity does not match (rule 2).
Result<TcbVerdict> EvaluateTdxTcb(const TcbInfo& tcb_info, const PckInfo& pck,
                                  const TdReport& report, const TcbVerdict& qe);

// Step 3. UNAUTHENTICATED attestation.qe_identity_mismatch when the QE report is not the
// identity's enclave; a QE whose ISVSVN is below every level gets status "Revoked".
Result<TcbVerdict> QeStatus(const QeIdentity& identity, const QeReport& qe);

}  // namespace fedtee::attestation::tdx
