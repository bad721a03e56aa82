// The TDX verifier against a real recorded quote v4 and its collateral
// (../shared/testdata/attestation/tdx), verified at a clock pinned inside the collateral's
// validity (2025-06-19 .. 2025-07-19), and each mutation refused with its named error.
// Skips, saying so, when the shared test data is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attestation/errors.h"
#include "attestation/tdx/tdx_quote.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "base/file.h"

namespace fedtee::attestation {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(FEDTEE_SHARED_TESTDATA) / "attestation" / "tdx";
constexpr int64_t kPinnedTime = 1750766400;  // 2025-06-24T12:00:00Z

class TdxRealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir / "tdx_quote_v4.bin")) {
      GTEST_SKIP() << "shared TDX test data not found at " << kDir
                   << " (it lives beside the project, never in it)";
    }
    quote_ = ReadFile(kDir / "tdx_quote_v4.bin").value();
    collateral_ = ReadFile(kDir / "tdx_quote_v4_collateral.json").value();
    root_ = ReadFile(kDir / "intel_sgx_root_ca.pem").value();
  }

  Evidence MakeEvidence() const {
    Evidence e;
    e.platform = Platform::kTdx;
    e.report = quote_;
    e.collateral = collateral_;
    return e;
  }

  Result<Claims> Run(const Evidence& e, int64_t at = kPinnedTime,
                     std::vector<Bytes> roots = {}) const {
    FakeClock clock(at);
    VerifyOptions options;
    options.clock = &clock;
    options.trusted_roots_der = std::move(roots);
    return Verify(e, options);
  }

  // The collateral with one string field replaced.
  Bytes CollateralWith(const std::string& key, const std::string& value) const {
    auto j = nlohmann::json::parse(collateral_.begin(), collateral_.end());
    j[key] = value;
    return ToBytes(j.dump());
  }
  std::string CollateralField(const std::string& key) const {
    auto j = nlohmann::json::parse(collateral_.begin(), collateral_.end());
    return j[key].get<std::string>();
  }

  Bytes quote_, collateral_, root_;
};

TEST_F(TdxRealTest, RecordedQuoteVerifiesAtPinnedTime) {
  auto claims = Run(MakeEvidence());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  ASSERT_TRUE(claims->tdx.has_value());
  const TdxClaims& tdx = *claims->tdx;
  std::cout << "platform     " << PlatformName(claims->platform) << "\n"
            << "mrtd         " << HexEncode(claims->measurement) << "\n";
  for (int i = 0; i < 4; ++i)
    std::cout << "rtmr" << i << "        " << HexEncode(tdx.rtmr[i]) << "\n";
  std::cout << "tee_tcb_svn  " << HexEncode(tdx.tee_tcb_svn) << "\n"
            << "fmspc        " << HexEncode(tdx.fmspc) << "\n"
            << "td attrs     0x" << std::hex << tdx.td_attributes << std::dec << "\n"
            << "debug        " << claims->debug << "\n"
            << "tcb status   " << tdx.tcb_status << "\n"
            << "report_data  " << HexEncode(claims->report_data) << "\n";
  EXPECT_EQ(claims->platform, Platform::kTdx);
  EXPECT_TRUE(claims->hardware_backed);
  EXPECT_EQ(claims->measurement, tdx.mrtd);
  EXPECT_EQ(HexEncode(tdx.fmspc), "b0c06f000000");
  EXPECT_EQ(tdx.tcb_status, "UpToDate");
  EXPECT_TRUE(tdx.advisory_ids.empty());
  EXPECT_FALSE(claims->debug);
  EXPECT_EQ(tdx.quote_version, 4);
}

TEST_F(TdxRealTest, ExplicitIntelRootVerifies) {
  ASSERT_TRUE(Run(MakeEvidence(), kPinnedTime, {root_}).ok());
}

TEST_F(TdxRealTest, CollateralFromTheOperator) {
  Evidence e = MakeEvidence();
  e.collateral.clear();
  FakeClock clock(kPinnedTime);
  VerifyOptions options;
  options.clock = &clock;
  options.collateral = collateral_;
  auto claims = Verify(e, options);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

TEST_F(TdxRealTest, MissingCollateralIsNamed) {
  Evidence e = MakeEvidence();
  e.collateral.clear();
  EXPECT_EQ(Run(e).status().reason(), errors::kMissingCollateral);
}

struct QuoteMutation {
  const char* name;
  size_t offset;
  const char* reason;
};

class TdxRealQuoteMutationTest : public TdxRealTest,
                                 public ::testing::WithParamInterface<QuoteMutation> {};

TEST_P(TdxRealQuoteMutationTest, IsRefusedWithItsName) {
  const QuoteMutation& m = GetParam();
  Evidence e = MakeEvidence();
  e.report[m.offset] ^= 0x01;
  auto claims = Run(e);
  ASSERT_FALSE(claims.ok()) << m.name << " was accepted";
  EXPECT_EQ(claims.status().reason(), m.reason) << m.name << ": " << claims.status().ToString();
}

// Offsets: header 0..47, body 48..631 (MRTD at 48+136, RTMR0 at 48+328, REPORT_DATA at
// 48+520), signature data length 632, quote signature 636, attestation key 700, QE
// certification data header 764, QE report 770, QE report signature 1154, QE auth data
// length 1218 and data 1220, PCK chain header 1252, PEM from 1258.
INSTANTIATE_TEST_SUITE_P(
    EachField, TdxRealQuoteMutationTest,
    ::testing::Values(QuoteMutation{"version", 0, errors::kUnsupportedVersion},
                      QuoteMutation{"key_type", 2, errors::kUnsupportedVersion},
                      QuoteMutation{"tee_type", 4, errors::kUnsupportedVersion},
                      QuoteMutation{"qe_vendor_id", 12, errors::kBadSignature},
                      QuoteMutation{"user_data", 28, errors::kBadSignature},
                      QuoteMutation{"tee_tcb_svn", 48, errors::kBadSignature},
                      QuoteMutation{"mrseam", 48 + 16, errors::kBadSignature},
                      QuoteMutation{"td_attributes", 48 + 120, errors::kBadSignature},
                      QuoteMutation{"mrtd", 48 + 136, errors::kBadSignature},
                      QuoteMutation{"mrconfigid", 48 + 184, errors::kBadSignature},
                      QuoteMutation{"rtmr0", 48 + 328, errors::kBadSignature},
                      QuoteMutation{"rtmr3", 48 + 472, errors::kBadSignature},
                      QuoteMutation{"report_data", 48 + 520, errors::kBadSignature},
                      QuoteMutation{"report_data_last", 631, errors::kBadSignature},
                      QuoteMutation{"signature_length", 632, errors::kMalformedEvidence},
                      QuoteMutation{"quote_signature_r", 636, errors::kBadSignature},
                      QuoteMutation{"quote_signature_s", 699, errors::kBadSignature},
                      QuoteMutation{"attestation_key", 700, errors::kBadSignature},
                      QuoteMutation{"cert_data_type", 764, errors::kUnsupportedVersion},
                      QuoteMutation{"cert_data_length", 766, errors::kMalformedEvidence},
                      QuoteMutation{"qe_report_cpusvn", 770, errors::kBadSignature},
                      QuoteMutation{"qe_report_data", 770 + 320, errors::kBadSignature},
                      QuoteMutation{"qe_report_signature", 1154, errors::kBadSignature},
                      QuoteMutation{"qe_auth_data", 1220, errors::kBadSignature},
                      QuoteMutation{"pck_chain_type", 1252, errors::kUnsupportedVersion},
                      QuoteMutation{"trailing_padding", 4990, errors::kMalformedEvidence}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(TdxRealTest, PckLeafSignatureByteFlippedBreaksTheChain) {
  Evidence e = MakeEvidence();
  // A base64 character inside the leaf certificate's signature (its first PEM block ends
  // with the signature), changed to another valid base64 character.
  std::string pem(e.report.begin() + 1258, e.report.end());
  size_t end = pem.find("-----END CERTIFICATE-----");
  ASSERT_NE(end, std::string::npos);
  size_t pos = 1258 + end - 8;
  e.report[pos] = e.report[pos] == 'A' ? 'B' : 'A';
  auto claims = Run(e);
  ASSERT_FALSE(claims.ok());
  EXPECT_TRUE(claims.status().reason() == errors::kChainBroken ||
              claims.status().reason() == errors::kMalformedCertificate)
      << claims.status().ToString();
}

TEST_F(TdxRealTest, OtherRootIsUntrusted) {
  Bytes amd = ReadFile(std::filesystem::path(FEDTEE_SHARED_TESTDATA) / "attestation" / "sev-snp" /
                       "milan_ask_ark.pem")
                  .value();
  auto claims = Run(MakeEvidence(), kPinnedTime, {amd});
  EXPECT_EQ(claims.status().reason(), errors::kUntrustedRoot) << claims.status().ToString();
}

TEST_F(TdxRealTest, ClockAfterTheCollateralExpiresIsRefused) {
  auto claims = Run(MakeEvidence(), 1753920000);  // 2025-07-31
  EXPECT_EQ(claims.status().reason(), errors::kCollateralExpired) << claims.status().ToString();
}

TEST_F(TdxRealTest, ClockBeforeTheCollateralIsIssuedIsRefused) {
  auto claims = Run(MakeEvidence(), 1748736000);  // 2025-06-01
  EXPECT_EQ(claims.status().reason(), errors::kCollateralExpired) << claims.status().ToString();
}

TEST_F(TdxRealTest, TamperedTcbInfoSignatureIsRefused) {
  std::string sig = CollateralField("tcb_info_signature");
  sig[10] = sig[10] == '0' ? '1' : '0';
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("tcb_info_signature", sig);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, TamperedTcbInfoBodyIsRefused) {
  std::string info = CollateralField("tcb_info");
  size_t at = info.find("B0C06F000000");
  ASSERT_NE(at, std::string::npos);
  info.replace(at, 12, "B0C06F000001");  // another platform's FMSPC, unsigned
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("tcb_info", info);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, TamperedQeIdentitySignatureIsRefused) {
  std::string sig = CollateralField("qe_identity_signature");
  sig[0] = sig[0] == '0' ? '1' : '0';
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("qe_identity_signature", sig);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, TamperedQeIdentityBodyIsRefused) {
  std::string id = CollateralField("qe_identity");
  size_t at = id.find("\"isvsvn\":4");
  ASSERT_NE(at, std::string::npos);
  id.replace(at, 10, "\"isvsvn\":9");
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("qe_identity", id);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, TamperedPckCrlIsRefused) {
  std::string crl = CollateralField("pck_crl");
  crl[crl.size() - 6] = crl[crl.size() - 6] == '0' ? '1' : '0';  // inside its signature
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("pck_crl", crl);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, TcbSigningChainFromAnotherRootIsRefused) {
  // The TCB info issuer chain replaced by the PCK chain: signature no longer verifies.
  auto q = tdx::ParseTdxQuote(quote_);
  ASSERT_TRUE(q.ok());
  Evidence e = MakeEvidence();
  e.collateral = CollateralWith("tcb_info_issuer_chain", q->pck_chain_pem);
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid) << Run(e).status().ToString();
}

TEST_F(TdxRealTest, GarbageCollateralIsInvalid) {
  Evidence e = MakeEvidence();
  e.collateral = ToBytes("{not json");
  EXPECT_EQ(Run(e).status().reason(), errors::kCollateralInvalid);
}

}  // namespace
}  // namespace fedtee::attestation
