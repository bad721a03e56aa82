// TDX policy checks (the validate step for TdxClaims): accepted RTMR values per register and
// accepted TCB statuses from the collateral. Pure; never looks at signatures.
#include <algorithm>
#include <string>

#include "attestation/errors.h"
#include "attestation/platform_validators.h"

namespace fedtee::attestation {

std::vector<Violation> ValidateTdxClaims(const TdxClaims& claims, const TdxPolicy& policy) {
  std::vector<Violation> out;
  for (size_t i = 0; i < claims.rtmr.size(); ++i) {
    const auto& allowed = policy.allowed_rtmr[i];
    if (allowed.empty()) continue;  // any value
    if (std::find(allowed.begin(), allowed.end(), claims.rtmr[i]) == allowed.end()) {
      out.push_back({errors::kRtmrNotAllowed, "TDX RTMR" + std::to_string(i) + " " +
                                                  HexEncode(claims.rtmr[i]) +
                                                  " is not among the policy's " +
                                                  std::to_string(allowed.size()) + " values"});
    }
  }
  const auto& statuses = policy.allowed_tcb_status;
  if (std::find(statuses.begin(), statuses.end(), claims.tcb_status) == statuses.end()) {
    std::string list;
    for (const auto& s : statuses) list += (list.empty() ? "" : ", ") + s;
    std::string detail = "TDX TCB status " + claims.tcb_status +
                         " is not accepted (policy: " + (list.empty() ? "none" : list) + ")";
    if (!claims.advisory_ids.empty()) {
      detail += "; advisories:";
      for (const auto& id : claims.advisory_ids) detail += " " + id;
    }
    out.push_back({errors::kTcbStatusNotAllowed, detail});
  }
  return out;
}

}  // namespace fedtee::attestation
