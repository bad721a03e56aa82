// `fedtee evidence verify` on real recorded SEV-SNP and TDX evidence (../shared/testdata,
// see its README; skipped with a printed reason when absent) and policies for them.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/subprocess.h"

namespace fedtee::testsupport {
namespace {

const std::string kFedtee = Bin("fedtee");
const std::filesystem::path kData = std::filesystem::path(FEDTEE_SHARED_TESTDATA) / "attestation";
// The SNP report's MEASUREMENT and the TDX quote's MRTD (printed by verify, pinned here).
const char kSnpMeasurement[] =
    "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01";
const std::string kSnpReportData = "0102030405" + std::string(118, '0');
const char kTdxWindow[] = "2025-06-24T00:00:00Z";

class CliTeeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kData / "sev-snp/milan_report.bin") ||
        !std::filesystem::exists(kData / "tdx/tdx_quote_v4.bin")) {
      GTEST_SKIP() << "recorded TEE evidence not found under " << kData
                   << " (../shared/testdata is not beside this checkout)";
    }
  }
  RunResult F(std::vector<std::string> args) {
    args.insert(args.begin(), kFedtee);
    return ::fedtee::testsupport::Run(args);
  }
  std::string Snp(const std::string& f) { return (kData / "sev-snp" / f).string(); }
  std::string Tdx(const std::string& f) { return (kData / "tdx" / f).string(); }
  TempDir dir_{"cli-tee"};
};

TEST_F(CliTeeTest, RealSnpReportVerifiesWithPinnedAmdRoots) {
  auto r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin"),
              "--certs", Snp("milan_vcek.der")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::string("measurement: ") + kSnpMeasurement), std::string::npos);
  EXPECT_NE(r.out.find("snp.product: Milan"), std::string::npos);
  EXPECT_NE(r.out.find("report_data: " + kSnpReportData), std::string::npos);
  EXPECT_NE(r.out.find("verdict: AUTHENTIC"), std::string::npos);
  // The ASK/ARK bundle given explicitly works too.
  r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin"),
         "--certs", Snp("milan_vcek.der"), "--certs", Snp("milan_ask_ark.pem")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTeeTest, RealSnpReportRefusals) {
  // Without the VCEK there is nothing to check the signature with.
  auto r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin")});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("attestation.missing_certificate"), std::string::npos) << r.out << r.err;
  // One flipped byte in the signed range.
  std::string bytes = ReadAll(Snp("milan_report.bin"));
  bytes[0x90] ^= 1;  // inside MEASUREMENT
  WriteAll(dir_ / "flipped.bin", bytes);
  r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", (dir_ / "flipped.bin").string(),
         "--certs", Snp("milan_vcek.der")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("attestation.bad_signature"), std::string::npos) << r.out << r.err;
  // A Genoa chain pinned as the only root: the Milan VCEK does not chain to it.
  r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin"),
         "--certs", Snp("milan_vcek.der"), "--certs", Snp("genoa_ask_ark.pem")});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

TEST_F(CliTeeTest, SnpPolicyListsEveryViolation) {
  // The recorded report is a debug guest: a policy that forbids debug and pins another
  // measurement and a higher TCB must list all three.
  WriteAll(dir_ / "snp-policy.toml",
           "platforms = [\"sev-snp\"]\nallowed_measurements = [\"" + std::string(96, '0') +
               "\"]\nforbid_debug = true\n[sev-snp]\nmin_tcb = { bootloader = 9, tee = 0, snp = 0, "
               "microcode = 0 }\n");
  auto r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin"),
              "--certs", Snp("milan_vcek.der"), "--policy", (dir_ / "snp-policy.toml").string(),
              "--report-data", kSnpReportData});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  for (const char* v : {"policy.measurement_not_allowed", "policy.debug_enabled", "policy.tcb_too_low"}) {
    EXPECT_NE(r.out.find(v), std::string::npos) << v << "\n" << r.out;
  }
  // Pinning the right measurement and allowing debug: accepted.
  WriteAll(dir_ / "snp-ok.toml", "platforms = [\"sev-snp\"]\nallowed_measurements = [\"" +
                                     std::string(kSnpMeasurement) + "\"]\nforbid_debug = false\n");
  r = F({"evidence", "verify", "--platform", "sev-snp", "--evidence", Snp("milan_report.bin"),
         "--certs", Snp("milan_vcek.der"), "--policy", (dir_ / "snp-ok.toml").string(),
         "--report-data", kSnpReportData});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verdict: ACCEPTED"), std::string::npos);
}

TEST_F(CliTeeTest, RealTdxQuoteVerifiesAtAPinnedTime) {
  auto r = F({"evidence", "verify", "--platform", "tdx", "--evidence", Tdx("tdx_quote_v4.bin"),
              "--collateral", Tdx("tdx_quote_v4_collateral.json"), "--at", kTdxWindow});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tdx.tcb_status: UpToDate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tdx.fmspc: b0c06f000000"), std::string::npos) << r.out;
  // Outside the collateral's validity, or without collateral: refused, named.
  r = F({"evidence", "verify", "--platform", "tdx", "--evidence", Tdx("tdx_quote_v4.bin"),
         "--collateral", Tdx("tdx_quote_v4_collateral.json"), "--at", "2026-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("attestation.collateral_expired"), std::string::npos) << r.out;
  r = F({"evidence", "verify", "--platform", "tdx", "--evidence", Tdx("tdx_quote_v4.bin"),
         "--at", kTdxWindow});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("attestation.missing_collateral"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fedtee::testsupport
