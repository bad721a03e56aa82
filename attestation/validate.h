// The validate step: do these (already verified) claims satisfy my policy? Pure: takes the
// claims, the policy, the report_data the relying party expects and a clock; reports every
// violation, not only the first. Never looks at signatures (that was verify's job).
#pragma once

#include <string>
#include <vector>

#include "attestation/claims.h"
#include "attestation/policy.h"
#include "base/clock.h"
#include "base/status.h"

namespace fedtee::attestation {

struct Violation {
  std::string kind;    // one of the policy.* names in attestation/errors.h
  std::string detail;  // what was seen and what the policy wanted
};

struct ValidationReport {
  std::vector<Violation> violations;
  bool ok() const { return violations.empty(); }
  bool Has(std::string_view kind) const;
  // OK, or PERMISSION_DENIED "policy.rejected" listing every violation.
  Status ToStatus() const;
};

// Checks `claims` against `policy`. `expected_report_data` is what the relying party
// computed itself from the keys it is about to use and its own fresh challenge
// (see binding.h). Thread-safe.
ValidationReport Validate(const Claims& claims, const Policy& policy,
                          const ReportData& expected_report_data, const Clock& clock);

}  // namespace fedtee::attestation
