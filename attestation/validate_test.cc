#include "attestation/validate.h"

#include <gtest/gtest.h>

#include <functional>

#include "attestation/binding.h"
#include "attestation/errors.h"
#include "attestation/sim/sim_test_util.h"

namespace fedtee::attestation {
namespace {

using sim::testing::kT0;

ReportData Expected() {
  return BindReportData(Bytes(32, 1), Bytes(32, 2), Bytes(32, 3), Bytes(32, 4));
}

Claims GoodClaims() {
  Claims c;
  c.platform = Platform::kSim;
  c.hardware_backed = false;
  c.measurement = Bytes(48, 0xab);
  c.report_data = Expected();
  c.debug = false;
  c.issued_at = kT0;
  c.sim = SimClaims{.issued_at = kT0, .tcb_svn = 3, .notice = "n", .platform_id = "p"};
  return c;
}

Policy GoodPolicy() {
  Policy p;
  p.platforms = {Platform::kSim};
  p.allowed_measurements = {Bytes(48, 0x01), Bytes(48, 0xab)};
  p.sim.min_tcb_svn = 2;
  return p;  // forbid_debug, 300 s age, 30 s skew by default
}

TEST(ValidateTest, GoodClaimsPass) {
  FakeClock clock(kT0 + 10);
  ValidationReport r = Validate(GoodClaims(), GoodPolicy(), Expected(), clock);
  EXPECT_TRUE(r.ok()) << r.ToStatus().ToString();
  EXPECT_TRUE(r.ToStatus().ok());
}

// One rule broken at a time: exactly that violation is reported.
TEST(ValidateTest, EachViolationIsNamed) {
  struct Case {
    std::string name;
    std::function<void(Claims&, Policy&, FakeClock&)> change;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"wrong measurement", [](Claims& c, Policy&, FakeClock&) { c.measurement[47] ^= 1; },
       {errors::kMeasurementNotAllowed}},
      {"report_data mismatch", [](Claims& c, Policy&, FakeClock&) { c.report_data[0] ^= 1; },
       {errors::kReportDataMismatch}},
      {"stale", [](Claims&, Policy&, FakeClock& clk) { clk.Set(kT0 + 301); },
       {errors::kEvidenceStale}},
      {"at the age limit", [](Claims&, Policy&, FakeClock& clk) { clk.Set(kT0 + 300); }, {}},
      {"age unbounded", [](Claims&, Policy& p, FakeClock& clk) {
         p.max_evidence_age_seconds = 0;
         clk.Set(kT0 + 100000);
       }, {}},
      {"from the future", [](Claims&, Policy&, FakeClock& clk) { clk.Set(kT0 - 31); },
       {errors::kEvidenceFromFuture}},
      {"within skew", [](Claims&, Policy&, FakeClock& clk) { clk.Set(kT0 - 30); }, {}},
      {"debug", [](Claims& c, Policy&, FakeClock&) { c.debug = true; },
       {errors::kDebugEnabled}},
      {"debug allowed", [](Claims& c, Policy& p, FakeClock&) {
         c.debug = true;
         p.forbid_debug = false;
       }, {}},
      {"tcb too low", [](Claims& c, Policy&, FakeClock&) { c.sim->tcb_svn = 1; },
       {errors::kTcbTooLow}},
      {"platform not allowed", [](Claims&, Policy& p, FakeClock&) {
         p.platforms = {Platform::kSevSnp, Platform::kTdx};
       }, {errors::kPlatformNotAllowed, errors::kSimulationNotAllowed}},
      {"no issue time: no age rule", [](Claims& c, Policy&, FakeClock& clk) {
         c.issued_at.reset();
         clk.Set(kT0 + 100000);
       }, {}},
  };
  for (const Case& c : cases) {
    Claims claims = GoodClaims();
    Policy policy = GoodPolicy();
    FakeClock clock(kT0 + 10);
    c.change(claims, policy, clock);
    ValidationReport r = Validate(claims, policy, Expected(), clock);
    std::vector<std::string> kinds;
    for (const Violation& v : r.violations) kinds.push_back(v.kind);
    EXPECT_EQ(kinds, c.want) << c.name << ": " << r.ToStatus().ToString();
  }
}

TEST(ValidateTest, MeasurementDetailShowsTheHexSeen) {
  Claims claims = GoodClaims();
  claims.measurement = Bytes(48, 0xcd);
  FakeClock clock(kT0);
  ValidationReport r = Validate(claims, GoodPolicy(), Expected(), clock);
  ASSERT_TRUE(r.Has(errors::kMeasurementNotAllowed));
  EXPECT_NE(r.violations[0].detail.find(HexEncode(Bytes(48, 0xcd))), std::string::npos);
}

// Everything wrong at once: every violation is listed, in the report and in the Status.
TEST(ValidateTest, AllViolationsAreListed) {
  Claims claims = GoodClaims();
  claims.measurement = Bytes(48, 0);
  claims.report_data[5] ^= 0x80;
  claims.debug = true;
  claims.sim->tcb_svn = 0;
  Policy policy = GoodPolicy();
  policy.platforms = {Platform::kTdx};
  FakeClock clock(kT0 + 3600);
  ValidationReport r = Validate(claims, policy, Expected(), clock);
  const std::vector<std::string> want = {
      errors::kPlatformNotAllowed, errors::kSimulationNotAllowed,
      errors::kMeasurementNotAllowed, errors::kDebugEnabled,
      errors::kReportDataMismatch, errors::kEvidenceStale, errors::kTcbTooLow};
  ASSERT_EQ(r.violations.size(), want.size()) << r.ToStatus().ToString();
  for (const std::string& kind : want) {
    EXPECT_TRUE(r.Has(kind)) << kind;
  }
  Status s = r.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.reason(), errors::kPolicyRejected);
  for (const std::string& kind : want) {
    EXPECT_NE(s.message().find(kind), std::string::npos) << kind << " not in " << s.message();
  }
}

// Verify and validate composed, the way a participant uses them.
TEST(ValidateTest, EndToEndWithSimEvidence) {
  sim::testing::SimWorld w;
  sim::SimAttester attester(w.ca, Bytes(48, 0xab), 3, false, w.clock);
  Evidence e = attester.Attest(Expected()).value();
  auto claims = Verify(e, w.Options());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_TRUE(Validate(*claims, GoodPolicy(), Expected(), w.clock).ok());
  ReportData other = BindReportData(Bytes(32, 1), Bytes(32, 2), Bytes(32, 3), Bytes(32, 5));
  EXPECT_TRUE(Validate(*claims, GoodPolicy(), other, w.clock).Has(errors::kReportDataMismatch));
}

}  // namespace
}  // namespace fedtee::attestation
