// The validate step (validate.h). Checks every rule and collects every violation; it never
// stops at the first, so an operator sees everything wrong with a piece of evidence at once.
#include "attestation/validate.h"

#include <string>

#include "attestation/errors.h"
#include "attestation/platform_validators.h"
#include "crypto/digest.h"

namespace fedtee::attestation {
namespace {

std::string PlatformList(const std::vector<Platform>& platforms) {
  if (platforms.empty()) return "none";
  std::string out;
  for (Platform p : platforms) out += (out.empty() ? "" : ", ") + std::string(PlatformName(p));
  return out;
}

// Constant-time membership: compares against every entry, without stopping early.
bool ContainsConstantTime(const std::vector<Bytes>& allowed, ByteSpan value) {
  bool found = false;
  for (const Bytes& candidate : allowed) {
    found |= crypto::ConstantTimeEqual(candidate, value);
  }
  return found;
}

}  // namespace

bool ValidationReport::Has(std::string_view kind) const {
  for (const Violation& v : violations) {
    if (v.kind == kind) return true;
  }
  return false;
}

Status ValidationReport::ToStatus() const {
  if (ok()) return Status::Ok();
  std::string msg = std::to_string(violations.size()) + " policy violation(s): ";
  for (size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) msg += "; ";
    msg += violations[i].kind + " (" + violations[i].detail + ")";
  }
  return Status::PermissionDenied(errors::kPolicyRejected, msg);
}

ValidationReport Validate(const Claims& claims, const Policy& policy,
                          const ReportData& expected_report_data, const Clock& clock) {
  ValidationReport report;
  auto add = [&report](const char* kind, std::string detail) {
    report.violations.push_back({kind, std::move(detail)});
  };

  bool platform_allowed = false;
  for (Platform p : policy.platforms) platform_allowed |= (p == claims.platform);
  if (!platform_allowed) {
    add(errors::kPlatformNotAllowed, "platform " + std::string(PlatformName(claims.platform)) +
                                         "; the policy allows: " +
                                         PlatformList(policy.platforms));
    if (claims.platform == Platform::kSim || !claims.hardware_backed) {
      add(errors::kSimulationNotAllowed,
          "the evidence is simulated (no hardware protection) and the policy does not allow "
          "\"sim\"");
    }
  }

  if (!ContainsConstantTime(policy.allowed_measurements, claims.measurement)) {
    add(errors::kMeasurementNotAllowed,
        "measurement " + HexEncode(claims.measurement) + " is not among the " +
            std::to_string(policy.allowed_measurements.size()) + " allowed");
  }

  if (policy.forbid_debug && claims.debug) {
    add(errors::kDebugEnabled, "the workload is debuggable and the policy forbids debug");
  }

  if (!crypto::ConstantTimeEqual(claims.report_data, expected_report_data)) {
    add(errors::kReportDataMismatch,
        "report_data " + HexEncode(ByteSpan(claims.report_data).first(8)) +
            "... does not bind the expected keys and challenge (expected " +
            HexEncode(ByteSpan(expected_report_data).first(8)) + "...)");
  }

  if (claims.issued_at.has_value()) {
    const int64_t now = clock.NowUnix();
    const int64_t age = now - *claims.issued_at;
    if (policy.max_evidence_age_seconds > 0 && age > policy.max_evidence_age_seconds) {
      add(errors::kEvidenceStale, "issued " + std::to_string(age) + " s ago; the policy allows " +
                                      std::to_string(policy.max_evidence_age_seconds) + " s");
    }
    if (-age > policy.max_clock_skew_seconds) {
      add(errors::kEvidenceFromFuture,
          "issued " + std::to_string(-age) + " s in the future; the policy tolerates " +
              std::to_string(policy.max_clock_skew_seconds) + " s of clock skew");
    }
  }

  if (claims.sim.has_value() && claims.sim->tcb_svn < policy.sim.min_tcb_svn) {
    add(errors::kTcbTooLow, "sim tcb_svn " + std::to_string(claims.sim->tcb_svn) +
                                " < minimum " + std::to_string(policy.sim.min_tcb_svn));
  }
  if (claims.snp.has_value()) {
    for (Violation& v : ValidateSnpClaims(*claims.snp, policy.snp)) {
      report.violations.push_back(std::move(v));
    }
  }
  if (claims.tdx.has_value()) {
    for (Violation& v : ValidateTdxClaims(*claims.tdx, policy.tdx)) {
      report.violations.push_back(std::move(v));
    }
  }
  return report;
}

}  // namespace fedtee::attestation
