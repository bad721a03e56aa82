// The TDX verifier against a fake Intel PCK chain and collateral the test makes itself
// (testing/fake_intel.h): every byte of the signed quote flipped in turn, collateral and
// certificates damaged, TCB levels derived by Intel's rules; and the TDX policy checks.
// Fixed clock inside the fake collateral's window.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attestation/errors.h"
#include "attestation/platform_validators.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "testing/fake_intel.h"

namespace fedtee::attestation {
namespace {

using fakes::FakeIntel;
using fakes::FakeIntelOptions;

constexpr int64_t kNow = 1736899200;  // 2025-01-15

ReportData Data() {
  ReportData d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 3);
  return d;
}

const FakeIntel& Intel() {
  static const FakeIntel* f = new FakeIntel(FakeIntel::Create().value());
  return *f;
}

Result<Claims> VerifyQuote(const FakeIntel& intel, const Bytes& quote,
                           const std::string& collateral, int64_t at = kNow) {
  Evidence e;
  e.platform = Platform::kTdx;
  e.report = quote;
  e.collateral = ToBytes(collateral);
  FakeClock clock(at);
  VerifyOptions options;
  options.clock = &clock;
  options.trusted_roots_der = {intel.root_der()};
  return Verify(e, options);
}

Result<Claims> VerifyWith(FakeIntelOptions o) {
  auto intel = FakeIntel::Create(o);
  if (!intel.ok()) return intel.status();
  return VerifyQuote(*intel, intel->MakeQuote(Data()).value(), intel->Collateral());
}

TEST(TdxFakeChainTest, QuoteVerifiesUpToDate) {
  auto claims = VerifyQuote(Intel(), Intel().MakeQuote(Data()).value(), Intel().Collateral());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->tdx->tcb_status, "UpToDate");
  EXPECT_EQ(claims->report_data, Data());
  EXPECT_EQ(claims->measurement, Bytes(48, 0x91));
  EXPECT_EQ(claims->tdx->rtmr[2], Bytes(48, 0x42));
  EXPECT_FALSE(claims->debug);
}

TEST(TdxFakeChainTest, DebugAttributeIsClaimed) {
  auto claims =
      VerifyQuote(Intel(), Intel().MakeQuote(Data(), 0x10000001).value(), Intel().Collateral());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_TRUE(claims->debug);
}

std::string ExpectedReason(size_t off) {
  if (off < 8) return errors::kUnsupportedVersion;    // version, key type, TEE type
  if (off < 632) return errors::kBadSignature;        // header and TD report (signed)
  if (off < 636) return errors::kMalformedEvidence;   // signature data length
  if (off < 764) return errors::kBadSignature;        // quote signature, attestation key
  if (off < 766) return errors::kUnsupportedVersion;  // certification data type
  if (off < 770) return errors::kMalformedEvidence;   // its length
  return errors::kBadSignature;  // QE report, its signature, auth data (to 1252)
}

TEST(TdxFakeChainTest, EveryFlippedSignedByteIsRefusedWithItsName) {
  const Bytes quote = Intel().MakeQuote(Data()).value();
  const std::string collateral = Intel().Collateral();
  int checked = 0;
  for (size_t off = 0; off < 1252; ++off) {
    if (off >= 1218 && off < 1220) continue;  // the auth data length: framing only
    Bytes q = quote;
    q[off] ^= 0x80;
    auto claims = VerifyQuote(Intel(), q, collateral);
    ASSERT_FALSE(claims.ok()) << "flipped byte " << off << " was accepted";
    EXPECT_EQ(claims.status().reason(), ExpectedReason(off))
        << "byte " << off << ": " << claims.status().ToString();
    ++checked;
  }
  EXPECT_EQ(checked, 1250);
}

TEST(TdxFakeChainTest, FramingDamageIsMalformed) {
  const Bytes quote = Intel().MakeQuote(Data()).value();
  for (size_t off : {size_t{1254}, size_t{1255}}) {  // the PCK chain length
    Bytes q = quote;
    q[off] ^= 0x01;
    EXPECT_EQ(VerifyQuote(Intel(), q, Intel().Collateral()).status().reason(),
              errors::kMalformedEvidence)
        << off;
  }
  Bytes truncated(quote.begin(), quote.end() - 1);
  EXPECT_EQ(VerifyQuote(Intel(), truncated, Intel().Collateral()).status().reason(),
            errors::kMalformedEvidence);
}

TEST(TdxFakeChainTest, CollateralAndCertificateRefusals) {
  const Bytes quote = Intel().MakeQuote(Data()).value();
  const std::string good = Intel().Collateral();
  auto with = [&](const char* key, const std::string& value) {
    auto j = nlohmann::json::parse(good);
    j[key] = value;
    return j.dump();
  };
  const auto other = FakeIntel::Create().value();
  struct Case {
    std::string name, collateral;
    int64_t at;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"expired", good, 1740000000, errors::kCollateralExpired},
      {"not_yet_issued", good, 1730000000, errors::kCollateralExpired},
      {"tcb_info_from_other_signer",
       with("tcb_info_signature", nlohmann::json::parse(other.Collateral())["tcb_info_signature"]),
       kNow, errors::kCollateralInvalid},
      {"tcb_info_edited", with("tcb_info", Intel().tcb_info() + " "), kNow,
       errors::kCollateralInvalid},
      {"qe_identity_edited", with("qe_identity", Intel().qe_identity() + " "), kNow,
       errors::kCollateralInvalid},
      {"tcb_chain_from_other_root",
       with("tcb_info_issuer_chain",
            nlohmann::json::parse(other.Collateral())["tcb_info_issuer_chain"]),
       kNow, errors::kUntrustedRoot},
      {"pck_crl_from_other_ca",
       with("pck_crl", nlohmann::json::parse(other.Collateral())["pck_crl"]), kNow,
       errors::kCollateralInvalid},
      {"root_crl_not_hex", with("root_ca_crl", "zz"), kNow, errors::kCollateralInvalid},
      {"no_collateral", "", kNow, errors::kMissingCollateral},
  };
  for (const auto& c : cases) {
    auto claims = VerifyQuote(Intel(), quote, c.collateral, c.at);
    ASSERT_FALSE(claims.ok()) << c.name << " was accepted";
    EXPECT_EQ(claims.status().reason(), c.reason) << c.name << ": " << claims.status().ToString();
  }
  // A quote whose PCK chain is another vendor's, against this root.
  auto claims = VerifyQuote(Intel(), other.MakeQuote(Data()).value(), good);
  EXPECT_EQ(claims.status().reason(), errors::kUntrustedRoot) << claims.status().ToString();
}

TEST(TdxFakeChainTest, RevokedPckIsRefused) {
  FakeIntelOptions o;
  o.revoke_pck = true;
  EXPECT_EQ(VerifyWith(o).status().reason(), errors::kCertRevoked);
}

TEST(TdxFakeChainTest, WrongFmspcIsRefused) {
  FakeIntelOptions o;
  o.tcb_info_fmspc = {0x00, 0x90, 0x6E, 0xD5, 0x00, 0x01};
  EXPECT_EQ(VerifyWith(o).status().reason(), errors::kFmspcMismatch);
}

TEST(TdxFakeChainTest, QeIdentityMismatchIsRefused) {
  std::string id = Intel().qe_identity();
  id.replace(id.find("\"isvprodid\":2"), 13, "\"isvprodid\":3");
  auto collateral = Intel().CollateralWith(Intel().tcb_info(), id).value();
  auto claims = VerifyQuote(Intel(), Intel().MakeQuote(Data()).value(), collateral);
  EXPECT_EQ(claims.status().reason(), errors::kQeIdentityMismatch) << claims.status().ToString();
}

TEST(TdxFakeChainTest, TdxModuleIdentityMismatchIsRefused) {
  std::string info = Intel().tcb_info();
  info.replace(info.find("TDX_01"), 6, "TDX_02");
  auto collateral = Intel().CollateralWith(info, Intel().qe_identity()).value();
  auto claims = VerifyQuote(Intel(), Intel().MakeQuote(Data()).value(), collateral);
  EXPECT_EQ(claims.status().reason(), errors::kQeIdentityMismatch) << claims.status().ToString();
}

struct StatusCase {
  std::string name;
  std::function<void(FakeIntelOptions&)> change;
  std::string status;
  size_t advisories;
};

class TdxTcbStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(TdxTcbStatusTest, DerivedByIntelsRules) {
  FakeIntelOptions o;
  GetParam().change(o);
  auto claims = VerifyWith(o);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->tdx->tcb_status, GetParam().status);
  EXPECT_EQ(claims->tdx->advisory_ids.size(), GetParam().advisories);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, TdxTcbStatusTest,
    ::testing::Values(
        StatusCase{"up_to_date", [](FakeIntelOptions&) {}, "UpToDate", 0},
        StatusCase{"pcesvn_below_top_level", [](FakeIntelOptions& o) { o.pck_pcesvn = 10; },
                   "OutOfDate", 2},
        StatusCase{"cpusvn_component_below", [](FakeIntelOptions& o) { o.pck_components[4] = 3; },
                   "OutOfDate", 2},
        StatusCase{"tee_tcb_svn_below", [](FakeIntelOptions& o) { o.tee_tcb_svn[2] = 1; },
                   "OutOfDate", 2},
        StatusCase{"module_svn_ignored_in_platform_levels",
                   [](FakeIntelOptions& o) { o.tee_tcb_svn[0] = 4; }, "UpToDate", 0},
        StatusCase{"module_svn_out_of_date", [](FakeIntelOptions& o) { o.tee_tcb_svn[0] = 3; },
                   "OutOfDate", 0},
        StatusCase{"qe_out_of_date", [](FakeIntelOptions& o) { o.qe_isvsvn = 2; }, "OutOfDate", 1},
        StatusCase{"qe_below_every_level", [](FakeIntelOptions& o) { o.qe_isvsvn = 0; }, "Revoked",
                   0},
        StatusCase{"pcesvn_below_every_level", [](FakeIntelOptions& o) { o.pck_pcesvn = 4; },
                   "TcbNotSupported", 0}),
    [](const auto& info) { return info.param.name; });

// ---- ValidateTdxClaims ---------------------------------------------------------------------

TEST(ValidateTdxClaimsTest, RtmrsAndTcbStatus) {
  TdxClaims c;
  for (int i = 0; i < 4; ++i) c.rtmr[i] = Bytes(48, static_cast<uint8_t>(i));
  c.tcb_status = "OutOfDate";
  c.advisory_ids = {"INTEL-SA-00001"};
  TdxPolicy p;
  EXPECT_EQ(ValidateTdxClaims(c, p).size(), 1u);  // status only: RTMRs unconstrained
  p.allowed_rtmr[1] = {Bytes(48, 9)};
  p.allowed_rtmr[2] = {Bytes(48, 2)};
  auto v = ValidateTdxClaims(c, p);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].kind, errors::kRtmrNotAllowed);
  EXPECT_NE(v[0].detail.find("RTMR1"), std::string::npos);
  EXPECT_EQ(v[1].kind, errors::kTcbStatusNotAllowed);
  EXPECT_NE(v[1].detail.find("INTEL-SA-00001"), std::string::npos);
  p.allowed_tcb_status = {"UpToDate", "OutOfDate"};
  p.allowed_rtmr[1] = {Bytes(48, 1)};
  EXPECT_TRUE(ValidateTdxClaims(c, p).empty());
}

}  // namespace
}  // namespace fedtee::attestation
