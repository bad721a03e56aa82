// Every way sim evidence can fail verification, each with its own reason name.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "attestation/errors.h"
#include "attestation/evidence.h"
#include "attestation/sim/sim_test_util.h"
#include "attestation/verify.h"

namespace fedtee::attestation::sim {
namespace {

using namespace testing;  // NOLINT

TEST(SimVerifyTest, GoodEvidenceGivesClaims) {
  SimWorld w;
  Evidence e = w.Attest(Rd(0x11), /*svn=*/7, /*debug=*/true);
  auto claims = Verify(e, w.Options());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->platform, Platform::kSim);
  EXPECT_FALSE(claims->hardware_backed);
  EXPECT_EQ(claims->measurement, Measurement());
  EXPECT_EQ(claims->report_data, Rd(0x11));
  EXPECT_TRUE(claims->debug);
  EXPECT_EQ(claims->issued_at, kT0);
  ASSERT_TRUE(claims->sim.has_value());
  EXPECT_EQ(claims->sim->tcb_svn, 7u);
  EXPECT_EQ(claims->sim->issued_at, kT0);
  EXPECT_EQ(claims->sim->notice, kSimNotice);
  EXPECT_EQ(claims->sim->platform_id, "fedtee-sim-platform");
}

TEST(SimVerifyTest, SurvivesTheWireFormat) {
  SimWorld w;
  auto e = ParseEvidence(SerializeEvidence(w.Attest()));
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(Verify(*e, w.Options()).ok());
}

// One row per verify error.
TEST(SimVerifyTest, EachFailureIsNamed) {
  struct Case {
    std::string name;
    // Changes the evidence; may replace the world's CA or move its clock.
    std::function<void(SimWorld&, Evidence&)> mutate;
    std::string want;
    StatusCode code;
    // The roots to pin; unset means the world's own root.
    std::function<std::vector<Bytes>(const SimWorld&)> roots = nullptr;
  };
  const Case cases[] = {
      {"unparsable report",
       [](SimWorld&, Evidence& e) { e.report = {0x0a, 0x7f, 0x01}; },
       errors::kMalformedEvidence, StatusCode::kCorruption},
      {"empty report", [](SimWorld&, Evidence& e) { e.report.clear(); },
       errors::kMalformedEvidence, StatusCode::kCorruption},
      {"version 2 (signed)",
       [](SimWorld& w, Evidence& e) {
         auto r = GoodReport();
         r.set_version(2);
         e = SignReport(w.ca, r);
       },
       errors::kUnsupportedVersion, StatusCode::kCorruption},
      {"measurement 47 bytes (signed)",
       [](SimWorld& w, Evidence& e) {
         auto r = GoodReport();
         r.mutable_measurement()->pop_back();
         e = SignReport(w.ca, r);
       },
       errors::kMalformedEvidence, StatusCode::kCorruption},
      {"report_data 63 bytes (signed)",
       [](SimWorld& w, Evidence& e) {
         auto r = GoodReport();
         r.mutable_report_data()->pop_back();
         e = SignReport(w.ca, r);
       },
       errors::kMalformedEvidence, StatusCode::kCorruption},
      {"notice missing (signed)",
       [](SimWorld& w, Evidence& e) {
         auto r = GoodReport();
         r.clear_notice();
         e = SignReport(w.ca, r);
       },
       errors::kMalformedEvidence, StatusCode::kCorruption},
      {"missing certificate",
       [](SimWorld&, Evidence& e) { e.certificates.clear(); },
       errors::kMissingCertificate, StatusCode::kNotFound},
      {"malformed certificate",
       [](SimWorld&, Evidence& e) { e.certificates = {ToBytes("nope")}; },
       errors::kMalformedCertificate, StatusCode::kCorruption},
      {"broken chain: platform cert from another CA with the same root name",
       [](SimWorld& w, Evidence& e) {
         SimCa other = SimCa::Create(w.clock).value();
         e = SimAttester(other, Measurement(), 3, false, w.clock).Attest(Rd()).value();
       },
       errors::kChainBroken, StatusCode::kUnauthenticated},
      {"untrusted root: evidence from an unrelated CA",
       [](SimWorld& w, Evidence& e) {
         SimCa other = SimCa::Create(w.clock, {.root_name = "someone else's root"}).value();
         e = SimAttester(other, Measurement(), 3, false, w.clock).Attest(Rd()).value();
       },
       errors::kUntrustedRoot, StatusCode::kUnauthenticated},
      {"untrusted root: no roots pinned", [](SimWorld&, Evidence&) {},
       errors::kUntrustedRoot, StatusCode::kUnauthenticated,
       [](const SimWorld&) { return std::vector<Bytes>{}; }},
      {"untrusted root: the platform cert pinned as a root", [](SimWorld&, Evidence&) {},
       errors::kUntrustedRoot, StatusCode::kUnauthenticated,
       [](const SimWorld& w) { return std::vector<Bytes>{w.ca.platform_cert_der()}; }},
      {"expired platform certificate",
       [](SimWorld& w, Evidence& e) {
         SimCa ca = SimCa::Create(w.clock, {.platform_validity_seconds = kDay}).value();
         e = SimAttester(ca, Measurement(), 3, false, w.clock).Attest(Rd()).value();
         w.ca = ca;
         w.clock.Advance(2 * kDay);
       },
       errors::kCertExpired, StatusCode::kUnauthenticated},
      {"platform certificate not yet valid",
       [](SimWorld& w, Evidence& e) {
         FakeClock later(kT0 + kDay);
         SimCa ca = SimCa::Create(later).value();
         e = SimAttester(ca, Measurement(), 3, false, later).Attest(Rd()).value();
         w.ca = ca;
       },
       errors::kCertNotYetValid, StatusCode::kUnauthenticated},
      {"bad signature",
       [](SimWorld&, Evidence& e) { e.signature[e.signature.size() / 2] ^= 1; },
       errors::kBadSignature, StatusCode::kUnauthenticated},
      {"no signature", [](SimWorld&, Evidence& e) { e.signature.clear(); },
       errors::kBadSignature, StatusCode::kUnauthenticated},
      {"signature by another key",
       [](SimWorld& w, Evidence& e) {
         SimCa other = SimCa::Create(w.clock).value();
         e.signature = SignReport(other, GoodReport()).signature;
       },
       errors::kBadSignature, StatusCode::kUnauthenticated},
  };
  for (const Case& c : cases) {
    SimWorld w;
    Evidence e = w.Attest();
    c.mutate(w, e);
    VerifyOptions o = w.Options();
    if (c.roots) o.trusted_roots_der = c.roots(w);
    auto r = Verify(e, o);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().reason(), c.want) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
  }
}

TEST(SimVerifyTest, MissingRootSaysWhatToPass) {
  SimWorld w;
  VerifyOptions o = w.Options();
  o.trusted_roots_der.clear();
  auto r = Verify(w.Attest(), o);
  EXPECT_NE(r.status().message().find("root.pem"), std::string::npos) << r.status().message();
}

// Changing any one field of a signed report, without re-signing, is caught.
TEST(SimVerifyTest, TamperingWithEachReportFieldIsRefused) {
  struct Case {
    std::string field;
    std::function<void(fedtee::v1::SimReport&)> tamper;
    std::string want;
  };
  const Case cases[] = {
      {"measurement", [](auto& r) { (*r.mutable_measurement())[0] ^= 1; }, errors::kBadSignature},
      {"tcb_svn", [](auto& r) { r.set_tcb_svn(r.tcb_svn() + 1); }, errors::kBadSignature},
      {"debug", [](auto& r) { r.set_debug(!r.debug()); }, errors::kBadSignature},
      {"report_data", [](auto& r) { (*r.mutable_report_data())[63] ^= 1; },
       errors::kBadSignature},
      {"issued_at", [](auto& r) { r.set_issued_at(r.issued_at() + 1); }, errors::kBadSignature},
      {"notice", [](auto& r) { r.set_notice("REAL TEE, trust me"); }, errors::kBadSignature},
      // The version is checked before the signature (structure first), so it is refused as
      // a version this build does not know.
      {"version", [](auto& r) { r.set_version(r.version() + 1); }, errors::kUnsupportedVersion},
  };
  for (const Case& c : cases) {
    SimWorld w;
    Evidence e = w.Attest();
    fedtee::v1::SimReport report;
    ASSERT_TRUE(report.ParseFromArray(e.report.data(), static_cast<int>(e.report.size())));
    c.tamper(report);
    e.report = ToBytes(report.SerializeAsString());
    auto r = Verify(e, w.Options());
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().reason(), c.want) << c.field << ": " << r.status().ToString();
  }
}

TEST(SimVerifyTest, EverySampledSignatureByteMatters) {
  SimWorld w;
  const Evidence good = w.Attest();
  const size_t n = good.signature.size();
  for (size_t i : {size_t{0}, size_t{1}, size_t{5}, n / 3, n / 2, n - 2, n - 1}) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      Evidence e = good;
      e.signature[i] ^= mask;
      auto r = Verify(e, w.Options());
      ASSERT_FALSE(r.ok()) << "byte " << i;
      EXPECT_EQ(r.status().reason(), errors::kBadSignature) << "byte " << i;
    }
  }
  Evidence truncated = good;
  truncated.signature.pop_back();
  EXPECT_EQ(Verify(truncated, w.Options()).status().reason(), errors::kBadSignature);
  Evidence extended = good;
  extended.signature.push_back(0);
  EXPECT_EQ(Verify(extended, w.Options()).status().reason(), errors::kBadSignature);
}

// Flipping any byte of the serialized envelope never yields accepted evidence.
TEST(SimVerifyTest, EveryEnvelopeByteMatters) {
  SimWorld w;
  const Bytes wire = SerializeEvidence(w.Attest());
  const std::set<std::string> verify_errors = {
      errors::kMalformedEvidence, errors::kUnknownBackend,  errors::kUnsupportedVersion,
      errors::kBadSignature,      errors::kMissingCertificate, errors::kMalformedCertificate,
      errors::kChainBroken,       errors::kUntrustedRoot,   errors::kCertExpired,
      errors::kCertNotYetValid};
  for (size_t i = 0; i < wire.size(); ++i) {
    Bytes tampered = wire;
    tampered[i] ^= 0x01;
    auto e = ParseEvidence(tampered);
    Status s = e.ok() ? Verify(*e, w.Options()).status() : e.status();
    ASSERT_FALSE(s.ok()) << "flipping byte " << i << " was accepted";
    EXPECT_TRUE(verify_errors.count(s.reason())) << "byte " << i << ": " << s.ToString();
  }
}

TEST(SimVerifyTest, UnknownBackendAndUnparsableEnvelope) {
  fedtee::v1::Evidence pb;
  pb.set_platform("sgx-epid");
  EXPECT_EQ(ParseEvidence(AsBytes(pb.SerializeAsString())).status().reason(),
            errors::kUnknownBackend);
  EXPECT_EQ(ParseEvidence(ToBytes("\xff\xff garbage")).status().reason(),
            errors::kMalformedEvidence);
}

}  // namespace
}  // namespace fedtee::attestation::sim
